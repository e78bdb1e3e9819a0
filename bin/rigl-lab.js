#!/usr/bin/env node
import { stopWhenOutputCloses } from '../dist/src-main/cli/context.js';
import { relaunchForGpu } from '../dist/src-main/cli/gpu-relaunch.js';
import { main, TRAINING_COMMANDS } from '../dist/src-main/cli/main.js';

const args = process.argv.slice(2);
stopWhenOutputCloses();
const relaunched = TRAINING_COMMANDS.has(args[0]) ? await relaunchForGpu(process.argv.slice(1)) : null;
process.exitCode = relaunched ?? (await main(args));
