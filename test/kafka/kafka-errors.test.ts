/**
 * Errors of the Kafka client (its own error classes, as it raises them) read as the causes we
 * explain, and whether a failed request certainly wrote nothing (so its records may be queued again).
 */
import {
  AuthenticationError,
  MultipleErrors,
  NetworkError,
  ProtocolError,
  TimeoutError,
  UserError,
} from '@platformatic/kafka';
import { classifyKafkaError } from '../../src/reporter/kafka-errors';

const refused = (): Error => Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:9092'), { code: 'ECONNREFUSED' });

it('a refused connection: unreachable, nothing written', () => {
  const e = new MultipleErrors('Cannot connect to any broker.', [
    new NetworkError('Connection to 127.0.0.1:9092 failed.', { cause: refused() }),
  ]);
  expect(classifyKafkaError(e)).toMatchObject({ kind: 'unreachable', notWritten: true });
});

it('a connection reset or a timeout: unreachable, but the request may have been written', () => {
  const reset = Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' });
  expect(classifyKafkaError(new NetworkError('Connection closed', { cause: reset }))).toMatchObject({
    kind: 'unreachable',
    notWritten: false,
  });
  expect(classifyKafkaError(new TimeoutError('Request timed out.'))).toMatchObject({
    kind: 'unreachable',
    notWritten: false,
  });
});

it('refused credentials: auth', () => {
  const e = new MultipleErrors('Cannot connect to any broker.', [
    new NetworkError('Connection to 127.0.0.1:9093 failed.', {
      cause: new AuthenticationError('SASL authentication failed.'),
    }),
  ]);
  expect(classifyKafkaError(e)).toMatchObject({ kind: 'auth', notWritten: true });
});

it('a certificate we do not accept: tls, nothing written', () => {
  const untrusted = Object.assign(new Error('unable to verify the first certificate'), {
    code: 'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  });
  const e = new MultipleErrors('Cannot connect to any broker.', [
    new NetworkError('Connection to 127.0.0.1:9093 failed.', { cause: untrusted }),
  ]);
  expect(classifyKafkaError(e)).toMatchObject({ kind: 'tls', notWritten: true });
});

it('an unknown topic names the topic', () => {
  expect(classifyKafkaError(new UserError('Unknown topic prod-skywalking-segments.'))).toEqual({
    kind: 'topic-missing',
    topic: 'prod-skywalking-segments',
    detail: 'Unknown topic prod-skywalking-segments.',
    notWritten: true,
  });
});

it("the broker's partition errors: not the leader is not written; a record too large is its own cause", () => {
  const notLeader = new MultipleErrors('Received response with error while executing API Produce(v11)', [
    new ProtocolError('NOT_LEADER_OR_FOLLOWER'),
  ]);
  expect(classifyKafkaError(notLeader)).toMatchObject({ kind: 'other', notWritten: true });
  expect(classifyKafkaError(new MultipleErrors('x', [new ProtocolError('MESSAGE_TOO_LARGE')]))).toMatchObject({
    kind: 'too-large',
    notWritten: false,
  });
  // one partition refused, another failed otherwise: the request may have been partly written
  expect(
    classifyKafkaError(
      new MultipleErrors('x', [new ProtocolError('NOT_LEADER_OR_FOLLOWER'), new ProtocolError('CORRUPT_MESSAGE')]),
    ),
  ).toMatchObject({ notWritten: false });
});

it('anything is classified without throwing', () => {
  for (const v of [undefined, null, 'text', 42, {}, { errors: 'no' }]) expect(classifyKafkaError(v).kind).toBe('other');
});
