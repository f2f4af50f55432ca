// Starts code-server (VS Code in the browser) bound to 127.0.0.1 only, with its own user data,
// extensions folder and XDG folders, and stops it with everything it started.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, writeFileSync, createWriteStream } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { codeServerBin, node24Dir } from './paths';

export interface CodeServerOptions {
  /** A scratch folder for this instance's state. */
  home: string;
  extensionsDir: string;
  userSettings?: Record<string, unknown>;
  env?: Record<string, string>;
  /** Honour ?payload= (extension tests); hides toasts and skips modals, so never for UI tests. */
  smokeTestDriver?: boolean;
  port?: number;
  /** Workspace trust on: a new folder opens in Restricted Mode (no startup prompt). */
  workspaceTrust?: boolean;
}

export interface CodeServer {
  url: string;
  port: number;
  logFile: string;
  process: ChildProcess;
  /** Kills the server and its extension hosts (SIGKILL simulates a crash). */
  stop(signal?: NodeJS.Signals): Promise<void>;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

export function isolatedEnv(home: string): Record<string, string> {
  const dirs = { XDG_CONFIG_HOME: 'config', XDG_DATA_HOME: 'data', XDG_CACHE_HOME: 'cache', XDG_STATE_HOME: 'state', TMPDIR: 'tmp' };
  const env: Record<string, string> = {};
  for (const [name, sub] of Object.entries(dirs)) {
    env[name] = join(home, 'xdg', sub);
    mkdirSync(env[name]!, { recursive: true });
  }
  return env;
}

/** Installs a .vsix into an extensions folder (code-server needs a .vsix, not a folder). */
export async function installVsix(vsix: string, extensionsDir: string, home: string): Promise<void> {
  await run(codeServerBin(), ['--user-data-dir', join(home, 'user-data'), '--extensions-dir', extensionsDir, '--install-extension', vsix], {
    ...process.env,
    ...isolatedEnv(home),
    PATH: `${node24Dir()}:${process.env.PATH}`,
  });
}

function run(command: string, args: string[], env: NodeJS.ProcessEnv): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`${command} ${args.join(' ')} exited ${code}:\n${output}`))));
  });
}

export async function startCodeServer(options: CodeServerOptions): Promise<CodeServer> {
  const port = options.port ?? (await freePort());
  const userData = join(options.home, 'user-data');
  mkdirSync(join(userData, 'User'), { recursive: true });
  mkdirSync(options.extensionsDir, { recursive: true });
  writeFileSync(
    join(userData, 'User', 'settings.json'),
    JSON.stringify(
      {
        'workbench.startupEditor': 'none',
        'telemetry.telemetryLevel': 'off',
        'update.mode': 'none',
        'extensions.autoCheckUpdates': false,
        'extensions.autoUpdate': false,
        'chat.disableAIFeatures': true,
        'security.workspace.trust.enabled': options.workspaceTrust === true,
        ...(options.workspaceTrust ? { 'security.workspace.trust.startupPrompt': 'never', 'security.workspace.trust.emptyWindow': false } : {}),
        'workbench.tips.enabled': false,
        'git.enabled': false,
        'workbench.secondarySideBar.defaultVisibility': 'hidden',
        ...options.userSettings,
      },
      null,
      2,
    ),
  );
  const args = [
    '--bind-addr', `127.0.0.1:${port}`,
    '--auth', 'none',
    '--disable-telemetry',
    '--disable-update-check',
    ...(options.workspaceTrust ? [] : ['--disable-workspace-trust']),
    '--disable-getting-started-override',
    '--reconnection-grace-time', '5',
    '--user-data-dir', userData,
    '--extensions-dir', options.extensionsDir,
    ...(options.smokeTestDriver ? ['--vscode-option', 'enable-smoke-test-driver'] : []),
  ];
  const logFile = join(options.home, `code-server-${port}.log`);
  const log = createWriteStream(logFile);
  const child = spawn(codeServerBin(), args, {
    env: { ...process.env, ...isolatedEnv(options.home), PATH: `${node24Dir()}:${process.env.PATH}`, ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  child.stdout?.pipe(log);
  child.stderr?.pipe(log);
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`code-server exited with ${child.exitCode}; see ${logFile}`);
    try {
      const res = await fetch(`${url}/healthz`);
      if (res.ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`code-server did not start in 60 s; see ${logFile}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    url,
    port,
    logFile,
    process: child,
    stop: async (signal: NodeJS.Signals = 'SIGTERM') => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      try {
        process.kill(-child.pid!, signal); // the whole group: server and extension hosts
      } catch {
        child.kill(signal);
      }
      await Promise.race([exited, new Promise((r) => setTimeout(r, 10_000))]);
      log.end();
    },
  };
}
