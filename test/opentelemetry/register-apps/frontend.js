'use strict';
// An HTTP service with no tracing code: GET /front calls BACKEND_URL/back and answers with its body.
const http = require('node:http');

const backend = new URL('/back', process.env.BACKEND_URL);
const server = http.createServer((req, res) => {
  if (req.url !== '/front') {
    res.statusCode = 404;
    return res.end();
  }
  http
    .get(backend, (up) => {
      let body = '';
      up.on('data', (c) => (body += c));
      up.on('end', () => {
        res.setHeader('content-type', 'application/json');
        res.end(JSON.stringify({ from: 'frontend', backend: JSON.parse(body) }));
      });
    })
    .on('error', (e) => {
      res.statusCode = 502;
      res.end(e.message);
    });
});
server.listen(Number(process.env.PORT ?? 0), '127.0.0.1', () => console.log(`listening on ${server.address().port}`));
