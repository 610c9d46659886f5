#!/usr/bin/env node
/**
 * `skywalking-bridge collector`: run the embedded collector, print each trace as it settles and
 * the topology on SIGUSR2 and at exit.
 */
import { type Collector, analyze, renderProblems, renderTopology, renderTrace, startCollector } from './collector';
import { VERSION } from './reporter/version';

const HELP = `Usage: skywalking-bridge collector [options]

Runs a local collector that speaks the SkyWalking OAP's agent protocol (gRPC), prints each trace
as a tree once its segments settle, and the topology on SIGUSR2 and at exit.

Options:
  --host <host>         address to listen on (default 127.0.0.1)
  --grpc-port <port>    gRPC port for agents (default 11800; 0 = any free port)
  --http-port <port>    JSON API port (default 12800; 0 = any free port)
  --no-http             no JSON API
  --token <token>       require this Authentication token, like the OAP's SW_AUTHENTICATION
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
  tags: boolean;
  quiet: boolean;
}

function fail(message: string): never {
  process.stderr.write(`skywalking-bridge: ${message}\n\n${HELP}`);
  process.exit(2);
}

function port(flag: string, value: string | undefined): number {
  const n = Number(value);
  if (value === undefined || !Number.isInteger(n) || n < 0 || n > 65535) fail(`${flag} needs a port number from 0 to 65535, got ${JSON.stringify(value)}`);
  return n;
}

export function parseArgs(argv: readonly string[]): Args {
  const args: Args = { host: '127.0.0.1', grpcPort: 11800, httpPort: 12800, token: undefined, tags: false, quiet: false };
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

/** Print traces whose segments stopped changing for `settleMs`. */
function watch(collector: Collector, args: Args, settleMs = 1500): NodeJS.Timeout {
  const seen = new Map<string, { count: number; since: number; printed: number }>();
  const color = process.stdout.isTTY === true;
  const timer = setInterval(() => {
    const now = Date.now();
    for (const id of collector.traceIds()) {
      const count = collector.trace(id).length;
      const s = seen.get(id);
      if (!s || s.count !== count) {
        seen.set(id, { count, since: now, printed: s?.printed ?? 0 });
      } else if (s.printed !== count && now - s.since >= settleMs) {
        s.printed = count;
        const segments = collector.trace(id);
        const problems = analyze(segments).problems;
        process.stdout.write(`\ntrace ${id} (${count} segment${count === 1 ? '' : 's'})\n${renderTrace(segments, { tags: args.tags, color })}\n`);
        if (problems.length > 0) process.stdout.write(`problems:\n${renderProblems(problems)}\n`);
      }
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
    collector = await startCollector({ host: args.host, grpcPort: args.grpcPort, httpPort: args.httpPort, authentication: args.token });
  } catch (e) {
    process.stderr.write(`skywalking-bridge: cannot start the collector: ${(e as Error).message}\n`);
    process.exit(1);
  }
  process.stdout.write(`grpc listening on ${collector.grpcAddress}\n`);
  if (collector.httpUrl) process.stdout.write(`http listening on ${collector.httpUrl}\n`);
  const timer = args.quiet ? undefined : watch(collector, args);
  const topology = () => process.stdout.write(`\ntopology:\n${renderTopology(collector.analysis().topology)}\n`);
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
