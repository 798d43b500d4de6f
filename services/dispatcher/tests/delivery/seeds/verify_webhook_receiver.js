// A receiver that verifies deliveries the way seed 003's integrators do: its
// `verifyWebhook` is the document's own function, unchanged. Answers 200 when the
// `X-Webhook-Signature` verifies, 401 otherwise.
//   node verify_webhook_receiver.js <secret>   (prints the port it listens on)
const http = require('http');
const crypto = require('crypto');

function verifyWebhook(payload, signature, secret) {
const expectedSignature = crypto
.createHmac('sha256', secret)
.update(JSON.stringify(payload))
.digest('hex');
return signature === expectedSignature;
}

const secret = process.argv[2];
const server = http.createServer((req, res) => {
  let body = '';
  req.on('data', (chunk) => { body += chunk; });
  req.on('end', () => {
    let ok = false;
    try {
      ok = verifyWebhook(JSON.parse(body), req.headers['x-webhook-signature'], secret);
    } catch (e) {
      ok = false;
    }
    res.writeHead(ok ? 200 : 401, { 'content-type': 'text/plain' });
    res.end(ok ? 'verified' : 'signature mismatch');
  });
});
server.listen(0, '127.0.0.1', () => {
  console.log(server.address().port);
});
