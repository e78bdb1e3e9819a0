#!/usr/bin/env node
import { stopWhenStdoutCloses } from '../dist/src-main/cli/context.js';
import { main } from '../dist/src-main/cli/main.js';

stopWhenStdoutCloses();
process.exitCode = await main(process.argv.slice(2));
