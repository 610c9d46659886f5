/**
 * The log-pipeline path through a real broker: an application's stdout (reporter 'line') → Debian's
 * `kcat -P` (a real shipper: one message per line) → a 3-partition topic → two `skywalking-bridge
 * forward --kafka` processes in one consumer group → the embedded collector. Every segment arrives
 * at least once (duplicates counted and printed); none is missing after one forwarder is killed
 * mid-stream and restarted, nor after the collector is away for 30 s (the forwarders' memory flat).
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import type { SegmentObject } from '../../src/base/model';
import { type Collector, startCollector } from '../../src/collector';
import {
  LINE_APP,
  messagesOf,
  runLineApp,
  startForward,
  waitFor,
  type ForwardProcess,
} from '../../test/forward/support';
import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTopics, readTopic } from './kafka-support';

/* eslint-disable @typescript-eslint/no-require-imports */
const { startBroker } = require('./broker');
/* eslint-enable @typescript-eslint/no-require-imports */

const TOPIC = 'app-lines';
const hasKcat = spawnSync('kcat', ['-V'], { encoding: 'utf8' }).status === 0;

/** The app's stdout through `kcat -P` into the topic; resolves with what the app wrote once kcat is done. */
function shipApp(bootstrap: string, env: Record<string, string>): Promise<string> {
  return new Promise((resolve, reject) => {
    const app = spawn(process.execPath, [LINE_APP], {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const kcat: ChildProcess = spawn('kcat', ['-P', '-b', bootstrap, '-t', TOPIC], {
      stdio: ['pipe', 'inherit', 'inherit'],
    });
    let written = '';
    app.stdout!.on('data', (d: Buffer) => (written += d.toString()));
    app.stdout!.pipe(kcat.stdin!);
    kcat.once('exit', (code) => (code === 0 ? resolve(written) : reject(new Error(`kcat exited ${code}`))));
  });
}

const rssKb = (pid: number): number => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1]);

// without kcat the suite is skipped, except in CI (CI=true), where .ci/run installs it
describe.runIf(hasKcat || Boolean(process.env.CI))(
  'forward --kafka: app stdout → kcat → 3 partitions → two forwarders in a group',
  () => {
    let broker: { bootstrap: string; stop(): Promise<void> };
    let collector: Collector;
    let port = 0;
    const received: SegmentObject[] = [];
    const forwarders: ForwardProcess[] = [];

    async function startCollecting(): Promise<void> {
      collector = await startCollector({ grpcPort: port, httpPort: false, maxSegments: 100_000 });
      port = Number(collector.grpcAddress.split(':')[1]);
    }
    const all = (): SegmentObject[] => [...received, ...collector.segments()];

    beforeAll(async () => {
      broker = await startBroker();
      await createTopics(broker.bootstrap, [TOPIC], 3);
      await startCollecting();
    });
    afterAll(async () => {
      for (const f of forwarders) f.child.kill('SIGKILL');
      await collector?.stop();
      await broker?.stop();
    });

    const forward = (): ForwardProcess => {
      const f = startForward([
        '--kafka',
        broker.bootstrap,
        '--topic',
        TOPIC,
        '--group',
        'forwarders',
        '--batch',
        '50',
        '--stats',
        '--stats-interval',
        '1',
        '--collector',
        `127.0.0.1:${port}`,
      ]);
      forwarders.push(f);
      return f;
    };

    it('delivers every segment at least once across a killed forwarder and a collector away for 30 s', async () => {
      const a = forward();
      const b = forward();
      const first = messagesOf(await shipApp(broker.bootstrap, { SEGMENTS: '600', SPANS: '2' })).segments;
      expect(first.length).toBe(600);
      const ids = new Set(first.map((s) => s.traceSegmentId));
      const arrivedOf = (set: Set<string>): number =>
        new Set(
          all()
            .filter((s) => set.has(s.traceSegmentId))
            .map((s) => s.traceSegmentId),
        ).size;
      await waitFor(
        'a third of them',
        () => arrivedOf(ids) >= 200,
        () => a.output() + b.output(),
        120_000,
      );
      a.child.kill('SIGKILL');
      await a.exited;
      const a2 = forward();
      await waitFor(
        'all 600 after the kill',
        () => arrivedOf(ids) === 600,
        () => a2.output() + b.output(),
        120_000,
      );

      // the collector away: the forwarders hold one batch each and read nothing more
      received.push(...collector.segments());
      await collector.stop();
      const second = messagesOf(await shipApp(broker.bootstrap, { SEGMENTS: '600', SPANS: '2' })).segments;
      expect(second.length).toBe(600);
      const ids2 = new Set(second.map((s) => s.traceSegmentId));
      // measured from 10 s into the 30 s away: a forwarder started a moment ago (a2, after the kill)
      // still grows its heap while it settles into its first batches (29.8 MB in one CI run)
      await new Promise((r) => setTimeout(r, 10_000));
      const rss = [rssKb(a2.child.pid!), rssKb(b.child.pid!)];
      await new Promise((r) => setTimeout(r, 20_000));
      const rssAfter = [rssKb(a2.child.pid!), rssKb(b.child.pid!)];
      // flat: 600 waiting segments are ~1 MB of lines; a forwarder that kept reading would keep growing
      expect(rssAfter[0]! - rss[0]!).toBeLessThan(16 * 1024);
      expect(rssAfter[1]! - rss[1]!).toBeLessThan(16 * 1024);
      await startCollecting();
      await waitFor(
        'all 600 of the second run',
        () => arrivedOf(ids2) === 600,
        () => a2.output() + b.output(),
        180_000,
      );

      const every = new Set([...ids, ...ids2]);
      const delivered = all().filter((s) => every.has(s.traceSegmentId));
      const duplicates = delivered.length - every.size;
      console.log(
        `forward --kafka: ${every.size} segments, ${duplicates} delivered twice (at least once), forwarder RSS ${rss.map((k) => `${Math.round(k / 1024)} MB`).join('/')} → ${rssAfter.map((k) => `${Math.round(k / 1024)} MB`).join('/')} from 10 s to 30 s away`,
      );
      expect(duplicates).toBeGreaterThanOrEqual(0);
      expect(delivered.every((s) => s.spans.length === 2)).toBe(true);
    }, 600_000);

    it('forward --to-kafka puts the segments and records on the OAP topics, in protobuf', async () => {
      const topics = ['skywalking-segments', 'skywalking-logs', 'skywalking-managements'];
      await createTopics(broker.bootstrap, topics, 1);
      const written = await runLineApp({ SEGMENTS: '30', SPANS: '2', SERVICE: 'to-kafka' });
      const file = join(tmpdir(), `swb-to-kafka-${process.pid}.lines`);
      writeFileSync(file, written);
      const f = startForward(['--file', file, '--no-follow', '--stats', '--to-kafka', broker.bootstrap]);
      forwarders.push(f);
      expect(await f.exited).toBe(0);
      expect(f.lastStats()).toMatchObject({ segments: 30, logs: 30, sink: { segments: 30, logs: 30, resent: 0 } });
      const { segments } = messagesOf(written);
      const onTopic = await readTopic(broker.bootstrap, 'skywalking-segments');
      expect(onTopic.map((r) => r.key).sort()).toEqual(segments.map((s) => s.traceSegmentId).sort());
      expect((await readTopic(broker.bootstrap, 'skywalking-logs')).length).toBe(30);
    });
  },
);
