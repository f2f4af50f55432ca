/**
 * CLI of the stand-in:
 *   node out/test/standin/main.js [--port N] [--key K] [--task-ms N] [--queued-ms N]
 *                                 [--image-bytes N] [--scene-images] [--seed N]
 * Prints exactly one line `STANDIN_URL=http://127.0.0.1:PORT` on stdout once listening
 * (everything else goes to stderr) and stops cleanly on SIGINT / SIGTERM.
 */
import { startStandIn, type StandInOptions } from './server';

const USAGE =
  'usage: node out/test/standin/main.js [--port N] [--key K] [--task-ms N] [--queued-ms N] [--image-bytes N] [--scene-images] [--seed N]';

class UsageError extends Error {}

function count(flag: string, text: string): number {
  const value = Number(text);
  if (text.trim() === '' || !Number.isInteger(value) || value < 0) throw new UsageError(`${flag} needs a whole number, got "${text}"`);
  return value;
}

export function parseArgs(argv: readonly string[]): StandInOptions {
  const options: StandInOptions = {};
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--help' || arg === '-h') throw new UsageError('');
    const eq = arg.indexOf('=');
    const flag = eq >= 0 ? arg.slice(0, eq) : arg;
    const next = (): string => {
      if (eq >= 0) return arg.slice(eq + 1);
      const value = argv[++i];
      if (value === undefined) throw new UsageError(`${flag} needs a value`);
      return value;
    };
    switch (flag) {
      case '--port':
        options.port = count(flag, next());
        break;
      case '--key': {
        const key = next();
        if (key === '') throw new UsageError('--key needs a value');
        options.apiKey = key;
        break;
      }
      case '--task-ms':
        options.taskMs = count(flag, next());
        break;
      case '--queued-ms':
        options.queuedMs = count(flag, next());
        break;
      case '--image-bytes':
        options.imageBytes = count(flag, next()) || null;
        break;
      case '--scene-images':
        options.imageStyle = 'scene';
        break;
      case '--seed':
        options.seed = count(flag, next());
        break;
      default:
        throw new UsageError(`unknown argument: ${arg}`);
    }
  }
  return options;
}

async function main(): Promise<void> {
  let options: StandInOptions;
  try {
    options = parseArgs(process.argv.slice(2));
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    if (error.message) process.stderr.write(`${error.message}\n`);
    process.stderr.write(`${USAGE}\n`);
    process.exitCode = error.message ? 2 : 0;
    return;
  }
  const standIn = await startStandIn(options);
  process.stdout.write(`STANDIN_URL=${standIn.url}\n`);
  process.stderr.write(`[standin] listening on ${standIn.url} (API key ${standIn.config().apiKey})\n`);

  let stopping = false;
  const stop = (signal: NodeJS.Signals): void => {
    if (stopping) return;
    stopping = true;
    process.stderr.write(`[standin] ${signal}: stopping\n`);
    standIn.close().then(
      () => process.exit(0),
      (error: unknown) => {
        process.stderr.write(`[standin] close failed: ${String(error)}\n`);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

if (require.main === module) {
  main().catch((error: unknown) => {
    process.stderr.write(`[standin] ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  });
}
