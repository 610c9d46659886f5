import { isAbsolute, resolve } from 'node:path';
import { type BridgeOptions, resolveConfig } from '../base/config';
import { FileSource } from './file-source';
import { KafkaSource } from './kafka-source';
import { StateFile } from './file-state';
import { Forwarder } from './forwarder';
import { ReporterSink } from './oap-sink';
import type { LineSource } from './source';
import { StreamSource } from './stream-source';
import { TEXT_PRESETS, textMatcher } from './text-pattern';

export const FORWARD_HELP = `Usage: skywalking-bridge forward [options]

Reads the lines of reporter 'line' (segments, log records, instance properties and keep-alive
in the OAP's JSON, marked {"skywalking":...}) from stdin, files or Kafka, skips the other lines
(counted), and sends them to the OAP over gRPC (or into its Kafka topics). A batch is read on
only after the OAP took the one before (at least once); while the OAP is away reading pauses.

Input (stdin when neither --file nor --kafka is given):
  --file <path>            read this file, following it like tail -F (repeatable)
  --no-follow              read the files to their end and exit
  --state <file>           keep where each file was read up to here, and resume from it
  --kafka <host:port,...>  consume a topic in a consumer group (with --topic, --group)
  --topic <name>           the topic the lines are on (default skywalking-lines)
  --group <id>             the consumer group (default skywalking-forward)

Lines:
  --text-pattern <p>       also turn foreign lines with a trace id into log records: a preset
                           (${Object.keys(TEXT_PRESETS).join(', ')}) or a regex with named groups trace_id and
                           optionally time, level, service, instance
  --service <name>         service of those records when the pattern has none (env SW_AGENT_NAME)
  --instance <name>        their instance (env SW_AGENT_INSTANCE_NAME; default the host name)
  --max-line-bytes <n>     longer lines are skipped, counted (default 4194304)
  --batch <n>              lines per batch (default 500)

Output:
  --collector <host:port,...>  the OAP's gRPC addresses (env SW_AGENT_COLLECTOR_BACKEND_SERVICES)
  --token <token>          the OAP's token (env SW_AGENT_AUTHENTICATION); TLS by the SW_AGENT_* env
  --to-kafka <host:port,...>   produce into the OAP's Kafka topics (protobuf) instead of gRPC;
                           topics and producer settings by the SW_KAFKA_* env

  --stats                  print a JSON stats line on stdout every --stats-interval s and at exit
  --stats-interval <s>     default 10
`;

export interface ForwardArgs {
  files: string[];
  follow: boolean;
  state: string | undefined;
  kafka: string | undefined;
  topic: string;
  group: string;
  textPattern: string | undefined;
  service: string | undefined;
  instance: string | undefined;
  maxLineBytes: number;
  batch: number;
  collector: string | undefined;
  token: string | undefined;
  toKafka: string | undefined;
  stats: boolean;
  statsInterval: number;
}

export class ArgsError extends Error {}

function wholeArg(flag: string, value: string | undefined, min: number, max: number): number {
  const n = Number(value);
  if (value === undefined || !Number.isInteger(n) || n < min || n > max)
    throw new ArgsError(`${flag} needs a whole number from ${min} to ${max}, got ${JSON.stringify(value)}`);
  return n;
}

function valueOf(flag: string, value: string | undefined): string {
  if (value === undefined || value === '') throw new ArgsError(`${flag} needs a value`);
  return value;
}

/** The options of `forward`; throws `ArgsError` saying what is wrong. */
export function parseForwardArgs(argv: readonly string[]): ForwardArgs {
  const a: ForwardArgs = {
    files: [],
    follow: true,
    state: undefined,
    kafka: undefined,
    topic: 'skywalking-lines',
    group: 'skywalking-forward',
    textPattern: undefined,
    service: undefined,
    instance: undefined,
    maxLineBytes: 4 * 1024 * 1024,
    batch: 500,
    collector: undefined,
    token: undefined,
    toKafka: undefined,
    stats: false,
    statsInterval: 10,
  };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i]!;
    const next = (): string => valueOf(flag, argv[++i]);
    switch (flag) {
      case '--file':
        a.files.push(resolve(next()));
        break;
      case '--no-follow':
        a.follow = false;
        break;
      case '--state':
        a.state = next();
        if (!isAbsolute(a.state))
          throw new ArgsError(`--state needs an absolute path (nothing is written to the working directory)`);
        break;
      case '--kafka':
        a.kafka = next();
        break;
      case '--topic':
        a.topic = next();
        break;
      case '--group':
        a.group = next();
        break;
      case '--text-pattern':
        a.textPattern = next();
        break;
      case '--service':
        a.service = next();
        break;
      case '--instance':
        a.instance = next();
        break;
      case '--max-line-bytes':
        a.maxLineBytes = wholeArg(flag, argv[++i], 1024, 64 * 1024 * 1024);
        break;
      case '--batch':
        a.batch = wholeArg(flag, argv[++i], 1, 10_000);
        break;
      case '--collector':
        a.collector = next();
        break;
      case '--token':
        a.token = next();
        break;
      case '--to-kafka':
        a.toKafka = next();
        break;
      case '--stats':
        a.stats = true;
        break;
      case '--stats-interval':
        a.statsInterval = wholeArg(flag, argv[++i], 1, 86_400);
        break;
      default:
        throw new ArgsError(`unknown option ${flag}`);
    }
  }
  if (a.kafka && a.files.length > 0) throw new ArgsError('--kafka and --file cannot be used together');
  return a;
}

/** The bridge options the sink is built from: the library's own resolution (option > SW_* env > default). */
export function sinkOptions(a: ForwardArgs): BridgeOptions {
  return {
    reporter: a.toKafka ? 'kafka' : 'grpc',
    collectorAddress: a.collector,
    authentication: a.token,
    kafkaBootstrapServers: a.toKafka,
    serviceName: a.service,
    serviceInstance: a.instance,
    // one batch at a time is held: the queues need room for one batch only
    maxBufferSize: Math.max(a.batch, 1000),
    logMaxBufferSize: Math.max(a.batch, 1000),
    batchSize: Math.min(a.batch, 1000),
    flushIntervalMs: 50,
  };
}

/** `skywalking-bridge forward <argv>`: the exit code (2 for wrong options, with what to change). */
export async function forwardMain(argv: readonly string[]): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(FORWARD_HELP);
    return 0;
  }
  let args: ForwardArgs;
  try {
    args = parseForwardArgs(argv);
    if (args.textPattern !== undefined) textMatcher(args.textPattern);
    resolveConfig(sinkOptions(args));
  } catch (e) {
    process.stderr.write(`skywalking-bridge forward: ${(e as Error).message}\n\n${FORWARD_HELP}`);
    return 2;
  }
  try {
    return await forwardCommand(args);
  } catch (e) {
    process.stderr.write(`skywalking-bridge forward: ${(e as Error).message}\n`);
    return 1;
  }
}

/** Build the sources, the sink and the forwarder; run until the input ends or a signal comes. */
export async function forwardCommand(a: ForwardArgs): Promise<number> {
  const config = resolveConfig(sinkOptions(a));
  const matcher = a.textPattern === undefined ? undefined : textMatcher(a.textPattern);
  const sink = new ReporterSink(config, a.toKafka ? 'kafka' : 'grpc');
  const forwarder = new Forwarder(sink, {
    text: matcher && { matcher, service: config.serviceName, instance: config.serviceInstance },
  });
  const state = new StateFile(a.state);
  const sources: LineSource[] = a.kafka
    ? [
        new KafkaSource({
          bootstrap: a.kafka,
          topic: a.topic,
          group: a.group,
          maxLineBytes: a.maxLineBytes,
          batchLines: a.batch,
        }),
      ]
    : a.files.length > 0
      ? a.files.map(
          (f) =>
            new FileSource(f, state, {
              follow: a.follow,
              maxLineBytes: a.maxLineBytes,
              batchLines: a.batch,
              pollMs: 200,
            }),
        )
      : [new StreamSource(process.stdin, a.maxLineBytes, a.batch)];
  const printStats = (): void => {
    process.stdout.write(`${JSON.stringify({ forward: forwarder.stats() })}\n`);
  };
  const timer = a.stats ? setInterval(printStats, a.statsInterval * 1000) : undefined;
  timer?.unref();
  const stop = (): void => {
    forwarder.stop();
    // a batch the OAP does not take within the grace period stays uncommitted: it is read again next time
    setTimeout(() => void sink.close(), 5000).unref();
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  const ended = await Promise.all(sources.map((s) => forwarder.run(s)));
  if (timer) clearInterval(timer);
  await sink.close();
  if (a.stats) printStats();
  return ended.every(Boolean) ? 0 : 1;
}
