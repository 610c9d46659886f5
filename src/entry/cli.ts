#!/usr/bin/env node
/**
 * `skywalking-bridge collector`: run the embedded collector, print each trace as it settles and
 * the topology on SIGUSR2 and at exit.
 */
import {
  type Collector,
  type StoredLog,
  renderProblems,
  renderTopology,
  renderTrace,
  startCollector,
} from '../collector';
import { logLine } from '../collector/render';
import { log } from '../base/diag';
import { VERSION } from '../reporter/version';
import { forwardMain } from '../forward/cli';

const HELP = `Usage: skywalking-bridge collector [options]
       skywalking-bridge forward [options]   (see skywalking-bridge forward --help)

Runs a local collector that speaks the SkyWalking OAP's agent protocol (gRPC), prints each trace
as a tree once its segments settle (with the logs under their spans), and the topology on SIGUSR2
and at exit. Its HTTP port serves a web UI (traces, topology, problems) and the JSON API.

Options:
  --host <host>         address to listen on (default 127.0.0.1)
  --grpc-port <port>    gRPC port for agents (default 11800; 0 = any free port)
  --http-port <port>    web UI and JSON API port (default 12800; 0 = any free port)
  --no-http             no web UI or JSON API
  --token <token>       require this token: gRPC metadata Authentication (like the OAP's
                        SW_AUTHENTICATION), and on the JSON API (Authorization: Bearer <token>,
                        an Authentication header, or the cookie sw_bridge_token that the web UI
                        sets when opened as /?token=<token>)
  --allow-host <names>  JSON API: also accept these Host names (comma-separated; '*' = any).
                        By default only IP addresses and localhost, with the bound port
  --agent-config <file> serve this agent configuration to agents (Configuration Discovery), in
                        the OAP's agentConfigurations YAML; re-read when it changes
  --tags                print span tags in trace trees
  --quiet               print only where it listens
  --help                this text

skywalking-bridge --version   prints the version
`;

interface Args {
  host: string;
  grpcPort: number;
  httpPort: number | false;
  token: string | undefined;
  allowedHosts: string[];
  agentConfig: string | undefined;
  tags: boolean;
  quiet: boolean;
}

function fail(message: string): never {
  process.stderr.write(`skywalking-bridge: ${message}\n\n${HELP}`);
  process.exit(2);
}

function port(flag: string, value: string | undefined): number {
  const n = Number(value);
  if (value === undefined || !Number.isInteger(n) || n < 0 || n > 65535)
    fail(`${flag} needs a port number from 0 to 65535, got ${JSON.stringify(value)}`);
  return n;
}

export function parseArgs(argv: readonly string[]): Args {
  const args: Args = {
    host: '127.0.0.1',
    grpcPort: 11800,
    httpPort: 12800,
    token: undefined,
    allowedHosts: [],
    agentConfig: undefined,
    tags: false,
    quiet: false,
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    switch (a) {
      case '--host':
        args.host = argv[++i] ?? fail('--host needs a value');
        break;
      case '--grpc-port':
        args.grpcPort = port(a, argv[++i]);
        break;
      case '--http-port':
        args.httpPort = port(a, argv[++i]);
        break;
      case '--no-http':
        args.httpPort = false;
        break;
      case '--token':
        args.token = argv[++i] ?? fail('--token needs a value');
        break;
      case '--allow-host': {
        const v = argv[++i] ?? fail('--allow-host needs a value');
        const names = v
          .split(',')
          .map((n) => n.trim())
          .filter((n) => n !== '');
        if (names.length === 0) fail('--allow-host needs host names, got an empty list');
        args.allowedHosts.push(...names);
        break;
      }
      case '--agent-config':
        args.agentConfig = argv[++i] ?? fail('--agent-config needs a file');
        break;
      case '--tags':
        args.tags = true;
        break;
      case '--quiet':
        args.quiet = true;
        break;
      default:
        fail(`unknown option ${a}`);
    }
  }
  return args;
}

/** Run `work`; a throw is counted and said (rate-limited), never let out to the event loop. */
let failures = 0;
function guard(where: string, work: () => void): void {
  try {
    work();
  } catch (e) {
    failures++;
    log(
      'error',
      `cli.${where}`,
      `collector: ${where} failed (${failures} so far), skipped: ${(e as Error)?.stack ?? String(e)}`,
    );
  }
}

/** Print traces whose segments and logs stopped changing for `settleMs`, logs under their spans; logs without a trace apart. */
function watch(collector: Collector, args: Args, settleMs = 1500): NodeJS.Timeout {
  const seen = new Map<string, { count: number; since: number; printed: number }>();
  const color = process.stdout.isTTY === true;
  let lastLogSeq = 0;
  const timer = setInterval(() => {
    const now = Date.now();
    guard('log printer', () => {
      const loose: StoredLog[] = [];
      for (const l of collector.logs()) {
        if (l.seq <= lastLogSeq) continue;
        lastLogSeq = l.seq;
        if (!l.traceContext) loose.push(l);
      }
      if (loose.length > 0)
        process.stdout.write(`\nlogs without a trace:\n${loose.map((l) => `${l.service} ${logLine(l)}`).join('\n')}\n`);
    });
    for (const id of collector.traceIds()) {
      guard('trace printer', () => {
        const count = collector.trace(id).length + collector.traceLogs(id).length;
        const s = seen.get(id);
        if (!s || s.count !== count) {
          seen.set(id, { count, since: now, printed: s?.printed ?? 0 });
        } else if (s.printed !== count && now - s.since >= settleMs) {
          s.printed = count;
          const segments = collector.trace(id);
          const problems = collector.traceProblems(id);
          const tree = renderTrace(segments, { tags: args.tags, color, logs: collector.traceLogs(id) });
          process.stdout.write(
            `\ntrace ${id} (${segments.length} segment${segments.length === 1 ? '' : 's'})\n${tree}\n`,
          );
          if (problems.length > 0) process.stdout.write(`problems:\n${renderProblems(problems)}\n`);
        }
      });
    }
    if (seen.size > 20_000) seen.clear();
  }, 250);
  return timer;
}

async function collectorCommand(argv: readonly string[]): Promise<void> {
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(HELP);
    return;
  }
  const args = parseArgs(argv);
  let collector: Collector;
  try {
    collector = await startCollector({
      host: args.host,
      grpcPort: args.grpcPort,
      httpPort: args.httpPort,
      authentication: args.token,
      allowedHosts: args.allowedHosts,
      agentConfigFile: args.agentConfig,
    });
  } catch (e) {
    process.stderr.write(`skywalking-bridge: cannot start the collector: ${(e as Error).message}\n`);
    process.exit(1);
  }
  process.stdout.write(`grpc listening on ${collector.grpcAddress}\n`);
  if (collector.httpUrl) {
    process.stdout.write(`http listening on ${collector.httpUrl}\n`);
    const page = args.token ? `${collector.httpUrl}/?token=${encodeURIComponent(args.token)}` : `${collector.httpUrl}/`;
    process.stdout.write(`web UI: ${page}\n`);
  }
  const timer = args.quiet ? undefined : watch(collector, args);
  const topology = () =>
    guard('topology', () => process.stdout.write(`\ntopology:\n${renderTopology(collector.analysis().topology)}\n`));
  process.on('SIGUSR2', topology);
  const stop = async () => {
    if (timer) clearInterval(timer);
    if (!args.quiet && collector.segments().length > 0) topology();
    await collector.stop();
    process.exit(0);
  };
  process.once('SIGINT', () => void stop());
  process.once('SIGTERM', () => void stop());
}

export async function main(argv: readonly string[]): Promise<void> {
  const [command, ...rest] = argv;
  if (command === 'collector') return collectorCommand(rest);
  if (command === 'forward') {
    process.exitCode = await forwardMain(rest);
    return;
  }
  if (command === '--version' || command === '-v' || command === 'version') {
    process.stdout.write(`skywalking-bridge ${VERSION}\n`);
    return;
  }
  if (command === undefined || command === '--help' || command === '-h' || command === 'help') {
    process.stdout.write(HELP);
    return;
  }
  fail(`unknown command ${command}`);
}

if (require.main === module) void main(process.argv.slice(2));
