// The same short-lived client as an ES module: one GET of TARGET_URL, prints the body, ends by itself.
import { get } from 'node:http';

get(process.env.TARGET_URL, (res) => {
  let body = '';
  res.on('data', (c) => (body += c));
  res.on('end', () => console.log(`${res.statusCode} ${body}`));
});
