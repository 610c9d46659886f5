import {
  ConfigError,
  DEFAULT_COLLECTOR,
  DEFAULT_SERVICE_NAME,
  OPTION_TABLE,
  parseAddresses,
  resolveConfig,
} from '../src/base/config';

describe('resolveConfig', () => {
  it('uses the defaults with no options and no env', () => {
    const c = resolveConfig({}, {});
    expect(c.serviceName).toBe(DEFAULT_SERVICE_NAME);
    expect(c.serviceNameExplicit).toBe(false);
    expect(c.collectorAddresses).toEqual([DEFAULT_COLLECTOR]);
    expect(c.serviceInstance).toMatch(/^[0-9a-f]{32}@.+$/);
    expect(c.serviceInstanceExplicit).toBe(false);
    expect(c.maxBufferSize).toBe(10_000);
    expect(c.spanLimit).toBe(300);
    expect(c.heartbeatPeriod).toBe(30);
    expect(c.correlationMaxElements).toBe(3);
    expect(c.correlationMaxValueLength).toBe(128);
    expect(c.secure).toBe(false);
    expect(c.legacyExtract).toBe(true);
    expect(c.legacyInject).toEqual([]);
    expect(c.reporter).toBe('grpc');
  });

  it("takes the SkyWalking agents' env names", () => {
    const c = resolveConfig(
      {},
      {
        SW_AGENT_NAME: 'orders',
        SW_AGENT_INSTANCE: 'orders-1',
        SW_AGENT_NAMESPACE: 'prod',
        SW_AGENT_COLLECTOR_BACKEND_SERVICES: 'oap-1:11800, oap-2:11800',
        SW_AGENT_AUTHENTICATION: 'secret',
        SW_AGENT_SECURE: 'true',
        SW_AGENT_MAX_BUFFER_SIZE: '42',
        SW_AGENT_COLLECTOR_HEARTBEAT_PERIOD: '5',
        SW_AGENT_SPAN_LIMIT: '10',
        SW_CORRELATION_ELEMENT_MAX_NUMBER: '5',
        SW_CORRELATION_VALUE_MAX_LENGTH: '16',
        SW_BRIDGE_LEGACY_INJECT: 'jaeger,w3c,jaeger',
        SW_BRIDGE_LEGACY_EXTRACT: 'false',
      },
    );
    expect(c.serviceName).toBe('orders');
    expect(c.serviceNameExplicit).toBe(true);
    expect(c.serviceInstance).toBe('orders-1');
    expect(c.namespace).toBe('prod');
    expect(c.collectorAddresses).toEqual(['oap-1:11800', 'oap-2:11800']);
    expect(c.authentication).toBe('secret');
    expect(c.secure).toBe(true);
    expect(c.maxBufferSize).toBe(42);
    expect(c.heartbeatPeriod).toBe(5);
    expect(c.spanLimit).toBe(10);
    expect(c.correlationMaxElements).toBe(5);
    expect(c.correlationMaxValueLength).toBe(16);
    expect(c.legacyInject).toEqual(['jaeger', 'w3c']);
    expect(c.legacyExtract).toBe(false);
  });

  it('prefers SW_AGENT_INSTANCE_NAME over SW_AGENT_INSTANCE, and options over env', () => {
    const env = { SW_AGENT_INSTANCE_NAME: 'a', SW_AGENT_INSTANCE: 'b', SW_AGENT_NAME: 'env-name' };
    expect(resolveConfig({}, env).serviceInstance).toBe('a');
    const c = resolveConfig({ serviceName: 'opt-name', serviceInstance: 'opt-inst' }, env);
    expect(c.serviceName).toBe('opt-name');
    expect(c.serviceInstance).toBe('opt-inst');
  });

  it('turns TLS on when a CA file is given', () => {
    expect(resolveConfig({ caPath: '/tmp/ca.pem' }, {}).secure).toBe(true);
    expect(resolveConfig({}, { SW_AGENT_SSL_TRUSTED_CA_PATH: '/tmp/ca.pem' }).secure).toBe(true);
  });

  const bad: Array<[string, Record<string, unknown>, Record<string, string>, RegExp]> = [
    [
      'bad address list',
      { collectorAddress: 'oap' },
      {},
      /option `collectorAddress` is "oap": entry "oap" has no port; add the OAP's gRPC port, e.g. "oap:11800"/,
    ],
    [
      'bad env address',
      {},
      { SW_AGENT_COLLECTOR_BACKEND_SERVICES: 'oap:99999' },
      /env SW_AGENT_COLLECTOR_BACKEND_SERVICES is "oap:99999"/,
    ],
    [
      'non-integer buffer',
      { maxBufferSize: 1.5 },
      {},
      /option `maxBufferSize` is 1.5; expected a whole number from 1 to 1000000 \(or leave it out and set env SW_AGENT_MAX_BUFFER_SIZE\)/,
    ],
    [
      'env buffer not a number',
      {},
      { SW_AGENT_MAX_BUFFER_SIZE: 'lots' },
      /env SW_AGENT_MAX_BUFFER_SIZE is "lots"; expected a whole number/,
    ],
    ['bad boolean', {}, { SW_AGENT_FORCE_TLS: 'maybe' }, /env SW_AGENT_FORCE_TLS is "maybe"; expected true or false/],
    [
      'bad legacy format',
      { legacyInject: ['zipkin'] },
      {},
      /option `legacyInject`.*expected a list of 'jaeger', 'b3', 'b3multi', 'w3c'/,
    ],
    [
      'bad reporter',
      {},
      { SW_BRIDGE_REPORTER: 'zipkin' },
      /env SW_BRIDGE_REPORTER is "zipkin"; expected one of 'grpc', 'console', 'none', 'kafka', 'line'/,
    ],
    ['half mutual TLS', { keyPath: '/k.pem' }, {}, /mutual TLS needs both `certChainPath`/],
    ['bad namespace', { namespace: 'a b' }, {}, /option `namespace`.*letters, digits/],
    ['service name not a string', { serviceName: 42 }, {}, /option `serviceName` is 42; expected a string/],
    [
      'instance properties not strings',
      { instanceProperties: { a: 1 } },
      {},
      /`instanceProperties` must be an object of string values/,
    ],
  ];
  it.each(bad)('fails fast on %s with a message naming option, value and form', (_name, options, env, message) => {
    let error: unknown;
    try {
      resolveConfig(options as never, env);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toMatch(message);
  });

  it('parses address lists with IPv6 and rejects junk', () => {
    expect(parseAddresses('[::1]:11800,127.0.0.1:1')).toEqual(['[::1]:11800', '127.0.0.1:1']);
    expect(parseAddresses(' , ')).toBeUndefined();
    expect(parseAddresses('a:0')).toBeUndefined();
    expect(parseAddresses('http://a:1')).toBeUndefined();
  });
});

describe('the configuration table', () => {
  it('resolves every row: defaults of the agent-control options', () => {
    const c = resolveConfig({}, {});
    expect(c.sampleNPer3Secs).toBe(-1);
    expect(c.ignoreSuffix).toEqual([
      '.jpg',
      '.jpeg',
      '.js',
      '.css',
      '.png',
      '.bmp',
      '.gif',
      '.ico',
      '.mp3',
      '.mp4',
      '.html',
      '.svg',
    ]);
    expect(c.traceIgnorePath).toEqual([]);
    expect(c.dynamicConfigInterval).toBe(20);
  });

  it("takes the agents' env names for sampling, ignore rules and the fetch interval", () => {
    const c = resolveConfig(
      {},
      {
        SW_AGENT_SAMPLE: '5',
        SW_AGENT_IGNORE_SUFFIX: '.gif, .css',
        SW_AGENT_TRACE_IGNORE_PATH: '/health/**,/eureka/*',
        SW_AGENT_COLLECTOR_GET_AGENT_DYNAMIC_CONFIG_INTERVAL: '7',
      },
    );
    expect(c.sampleNPer3Secs).toBe(5);
    expect(c.ignoreSuffix).toEqual(['.gif', '.css']);
    expect(c.traceIgnorePath).toEqual(['/health/**', '/eureka/*']);
    expect(c.dynamicConfigInterval).toBe(7);
    expect(resolveConfig({ ignoreSuffix: ['.png'], traceIgnorePath: '' }, {}).ignoreSuffix).toEqual(['.png']);
    expect(resolveConfig({ ignoreSuffix: ',' }, {}).ignoreSuffix).toEqual([]);
  });

  it('each row names its option and env in its message', () => {
    expect(() => resolveConfig({}, { SW_AGENT_SAMPLE: 'many' })).toThrow(
      'skywalking-bridge: env SW_AGENT_SAMPLE is "many"; expected a whole number from -1 to 100000000. Fix or unset it.',
    );
    expect(() => resolveConfig({ traceIgnorePath: [1] as never }, {})).toThrow(
      'skywalking-bridge: option `traceIgnorePath` is an array [1]; expected a comma-separated string (or an array of strings) of at most 100 items of at most 1000 characters (or leave it out and set env SW_AGENT_TRACE_IGNORE_PATH).',
    );
  });

  it('keeps every row in OPTION_TABLE with a distinct option name', () => {
    const names = Object.values(OPTION_TABLE).map((r) => r.name);
    expect(new Set(names).size).toBe(names.length);
    expect(OPTION_TABLE.collectorAddresses.name).toBe('collectorAddress');
    expect(OPTION_TABLE.sampleNPer3Secs.env).toEqual(['SW_AGENT_SAMPLE']);
  });
});
