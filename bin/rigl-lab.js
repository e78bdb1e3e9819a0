#!/usr/bin/env node
import { exitQuietlyWhenStdoutCloses } from '../dist/src-main/cli/context.js';
import { main } from '../dist/src-main/cli/main.js';

exitQuietlyWhenStdoutCloses();
process.exitCode = await main(process.argv.slice(2));
