import { componentName, componentServerName } from '../src/base/components';

describe('component names (the OAP 10.1.0 component-libraries.yml, every language)', () => {
  it('names the ids of each language as the OAP does', () => {
    expect([1, 2, 14, 22, 49].map(componentName)).toEqual(['Tomcat', 'HttpClient', 'SpringMVC', 'PostgreSQL', 'http']);
    expect([7000, 7001, 7002, 7003].map(componentName)).toEqual(['Python', 'Flask', 'Requests', 'PyMysql']);
    expect([5004, 5005].map(componentName)).toEqual(['GoHttpServer', 'GoHttpClient']);
    expect([4001, 4002, 4005].map(componentName)).toEqual(['HttpServer', 'Express', 'Axios']);
    expect([3001, 3002].map(componentName)).toEqual(['AspNetCore', 'EntityFrameworkCore']);
    expect(componentName(99_999)).toBe('Unknown');
  });

  it('gives a client component its server-side name (Component-Server-Mappings)', () => {
    expect([40, 41, 42, 52, 73].map(componentServerName)).toEqual(['Kafka', 'Kafka', 'MongoDB', 'RabbitMQ', 'Pulsar']);
    expect(componentServerName(7003)).toBe('Mysql');
    expect(componentServerName(49)).toBe('http');
  });
});
