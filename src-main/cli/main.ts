import { ConfigError } from '../../src-shared/config/run.js';
import { processContext, type CommandContext } from './context.js';
import { VERSION } from '../version.js';
import { UsageError } from './errors.js';
import { DATASETS_HELP, datasetsCommand } from './commands/datasets.js';
import { INSPECT_HELP, inspectCommand } from './commands/inspect.js';
import { REPORT_HELP, reportCommand } from './commands/report.js';
import { RESUME_HELP, resumeCommand } from './commands/resume.js';
import { RUN_HELP, runCommand } from './commands/run.js';
import { SERVE_HELP, serveCommand } from './commands/serve.js';
import {
  EXPERIMENTS_HELP,
  EXPORT_HELP,
  LIST_HELP,
  SHOW_HELP,
  experimentsCommand,
  exportCommand,
  listCommand,
  showCommand,
} from './commands/runs.js';

interface Command {
  summary: string;
  help: string;
  run(args: string[], ctx: CommandContext): number | Promise<number>;
}

const COMMANDS: Record<string, Command> = {
  run: { summary: 'train runs (one, or a grid of methods × sparsities × distributions × seeds …)', help: RUN_HELP, run: runCommand },
  resume: { summary: 'continue stopped runs from their last checkpoint', help: RESUME_HELP, run: resumeCommand },
  inspect: { summary: 'per-layer shapes, densities and FLOPs of a model, without training', help: INSPECT_HELP, run: inspectCommand },
  list: { summary: 'the stored runs', help: LIST_HELP, run: listCommand },
  experiments: { summary: 'the stored experiments (grids) and their dashboard views', help: EXPERIMENTS_HELP, run: experimentsCommand },
  show: { summary: 'one run in detail', help: SHOW_HELP, run: showCommand },
  export: { summary: 'a run as JSON or CSV', help: EXPORT_HELP, run: exportCommand },
  report: { summary: 'an experiment’s figures and tables as an HTML page, CSV and SVG files', help: REPORT_HELP, run: reportCommand },
  datasets: { summary: 'list, download or import datasets', help: DATASETS_HELP, run: datasetsCommand },
  serve: { summary: 'web mode: the app in a browser (e.g. on a headless GPU server)', help: SERVE_HELP, run: serveCommand },
};
/** Commands that train in this process, so that tfjs-node-gpu loads here (see relaunchForGpu). */
export const TRAINING_COMMANDS: ReadonlySet<string | undefined> = new Set(['run', 'resume']);

const NAME_WIDTH = Math.max(...Object.keys(COMMANDS).map((name) => name.length));

function usage(): string {
  return [
    'rigl-lab: sparse neural-network training (dense, static, SET, SNFS, RigL, pruning) with exact sparsity and FLOP accounting',
    '',
    'usage: rigl-lab COMMAND [flags]    (rigl-lab COMMAND --help for its flags; rigl-lab --version)',
    '',
    ...Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(NAME_WIDTH)}  ${c.summary}`),
  ].join('\n');
}

/** Runs the CLI; resolves with the exit code. Usage and config errors exit 2 having written nothing. */
export async function main(argv: string[], ctx: CommandContext = processContext): Promise<number> {
  // `rigl-lab help run` is `rigl-lab run --help`.
  if (argv[0] === 'help' && argv[1] !== undefined) return main([argv[1], '--help'], ctx);
  const [name, ...args] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    ctx.out(usage());
    return name === undefined ? 2 : 0;
  }
  if (name === '--version' || name === '-V') {
    ctx.out(`rigl-lab ${VERSION}`);
    return 0;
  }
  const command = COMMANDS[name];
  if (!command) {
    ctx.err(`rigl-lab: unknown command "${name}"\n\n${usage()}`);
    return 2;
  }
  if (args.includes('--help') || args.includes('-h')) {
    ctx.out(command.help);
    return 0;
  }
  try {
    return await command.run(args, ctx);
  } catch (error) {
    if (error instanceof UsageError || error instanceof ConfigError) {
      ctx.err(`rigl-lab ${name}: ${error.message}`);
      return 2;
    }
    ctx.err(`rigl-lab ${name}: ${error instanceof Error ? error.message : String(error)}`);
    return 1;
  }
}
