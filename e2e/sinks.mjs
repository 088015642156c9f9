// The outside world of payment links, for the browser tests: a real SMTP server (nodemailer's
// smtp-server) on E2E_PORT + 5 that keeps every message it is given (parsed by mailparser), and an
// SMS provider on E2E_PORT + 6 speaking the widely used messages API (POST, form-encoded To / From
// / Body, basic auth; 201 with the message's JSON). Tests read what arrived at GET /mail and GET
// /sms. A number ending in 0000 is refused (400, as a provider refuses an unknown number).
import { createServer } from 'node:http';
import { SMTPServer } from 'smtp-server';
import { simpleParser } from 'mailparser';

const port = Number(process.env.E2E_PORT ?? '18080');
const mail = [];
const sms = [];

const smtp = new SMTPServer({
  authOptional: true,
  disabledCommands: ['STARTTLS', 'AUTH'],
  logger: false,
  onData(stream, session, done) {
    simpleParser(stream).then((m) => {
      mail.push({ to: session.envelope.rcptTo.map((r) => r.address), from: m.from?.text, subject: m.subject, text: m.text, html: m.html });
      done();
    }, done);
  },
});
smtp.listen(port + 5, '127.0.0.1');

const expectedAuth = `Basic ${Buffer.from('AC1:e2e-token').toString('base64')}`;
createServer((req, res) => {
  const answer = (status, body) => {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  };
  if (req.method === 'GET' && req.url === '/healthz') return answer(200, { ok: true });
  if (req.method === 'GET' && req.url === '/mail') return answer(200, mail);
  if (req.method === 'GET' && req.url === '/sms') return answer(200, sms);
  if (req.method === 'POST' && req.url === '/sms/2010-04-01/Accounts/AC1/Messages.json') {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      if (req.headers.authorization !== expectedAuth) return answer(401, { code: 20003, message: 'Authenticate' });
      const form = Object.fromEntries(new URLSearchParams(body));
      if (String(form.To).endsWith('0000')) return answer(400, { code: 21211, message: `The 'To' number ${form.To} is not a valid phone number.` });
      sms.push(form);
      return answer(201, { sid: `SM${sms.length}`, status: 'queued', to: form.To });
    });
    return undefined;
  }
  return answer(404, { message: 'not found' });
}).listen(port + 6, '127.0.0.1');
