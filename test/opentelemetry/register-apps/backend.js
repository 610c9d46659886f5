'use strict';
// An HTTP service with no tracing code: GET /back answers JSON. Env PORT (default 0); HANDLE_SIGTERM=1:
// its own SIGTERM handler closes the server (the process then ends by itself).
const http = require('node:http');

const server = http.createServer((req, res) => {
  if (req.url === '/back') {
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ from: 'backend' }));
  } else {
    res.statusCode = 404;
    res.end();
  }
});
server.listen(Number(process.env.PORT ?? 0), '127.0.0.1', () => console.log(`listening on ${server.address().port}`));
if (process.env.HANDLE_SIGTERM === '1') {
  process.on('SIGTERM', () => {
    console.log('SIGTERM: closing');
    server.close();
  });
}
