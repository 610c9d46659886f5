'use strict';
// A short-lived program with no tracing code: one GET of TARGET_URL, prints the body, ends by itself.
const http = require('node:http');

http.get(process.env.TARGET_URL, (res) => {
  let body = '';
  res.on('data', (c) => (body += c));
  res.on('end', () => console.log(`${res.statusCode} ${body}`));
});
