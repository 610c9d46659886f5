// An HTTP service with no tracing code: `node --require skywalking-bridge/register` traces it.
const http = require('node:http');

const server = http.createServer((req, res) => res.end('ok'));
server.listen(0, '127.0.0.1', () => {
  const { port } = server.address();
  http.get(`http://127.0.0.1:${port}/orders`, (res) => {
    res.resume();
    res.on('end', () => server.close()); // the process then ends by itself and is flushed
  });
});
