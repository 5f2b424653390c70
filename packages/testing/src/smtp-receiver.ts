/**
 * A local SMTP server that stands for a mail provider: it speaks the protocol a real client uses
 * (RFC 5321: greeting, EHLO/HELO, optional AUTH PLAIN/LOGIN, MAIL FROM, RCPT TO, DATA with dot
 * unstuffing, RSET, NOOP, QUIT) over a real socket, so nodemailer runs unmodified against it. It
 * records every accepted message (envelope, headers, body) and can refuse recipients for good (550)
 * or refuse the next messages for now (451), as providers do.
 */
import { type AddressInfo, createServer, type Socket } from "node:net";

export interface ReceivedMail {
  from: string;
  to: string[];
  /** Header names in lower case; folded lines joined. */
  headers: Record<string, string>;
  body: string;
  raw: string;
}

export interface SmtpReceiverOptions {
  /** Require AUTH with these credentials (advertised as AUTH PLAIN LOGIN); without it no AUTH is offered. */
  auth?: { user: string; pass: string };
}

export interface SmtpReceiver {
  /** smtp://[user:pass@]127.0.0.1:port */
  url: string;
  port: number;
  messages: ReceivedMail[];
  /** Messages whose DATA was answered 451 (not accepted). */
  deferred: number;
  /** Recipients refused for good with 550 from now on. */
  rejectRecipient: (address: string) => void;
  /** The next `count` messages get 451 after their DATA: a temporary failure the client should retry. */
  deferNext: (count: number) => void;
  close: () => Promise<void>;
}

function parseMessage(raw: string): { headers: Record<string, string>; body: string } {
  const split = raw.indexOf("\r\n\r\n");
  const head = split === -1 ? raw : raw.slice(0, split);
  const body = split === -1 ? "" : raw.slice(split + 4);
  const headers: Record<string, string> = {};
  let last: string | null = null;
  for (const line of head.split("\r\n")) {
    if (/^[ \t]/.test(line) && last) {
      headers[last] += ` ${line.trim()}`;
      continue;
    }
    const colon = line.indexOf(":");
    if (colon <= 0) continue;
    last = line.slice(0, colon).trim().toLowerCase();
    headers[last] = line.slice(colon + 1).trim();
  }
  return { headers, body };
}

const addressOf = (argument: string) => argument.match(/<([^>]*)>/)?.[1] ?? argument.trim();

export async function startSmtpReceiver(options: SmtpReceiverOptions = {}): Promise<SmtpReceiver> {
  const messages: ReceivedMail[] = [];
  const rejected = new Set<string>();
  const sockets = new Set<Socket>();
  let deferNext = 0;
  const state = { deferred: 0 };

  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
    socket.on("error", () => socket.destroy());
    socket.setEncoding("utf8");
    let buffer = "";
    let mode: "command" | "data" | "auth-login-user" | "auth-login-pass" = "command";
    let isAuthenticated = !options.auth;
    let loginUser = "";
    let from: string | null = null;
    let to: string[] = [];
    let data = "";
    const reply = (line: string) => {
      if (!socket.destroyed) socket.write(`${line}\r\n`);
    };
    const reset = () => {
      from = null;
      to = [];
      data = "";
    };

    const finishData = () => {
      // Dot unstuffing (RFC 5321 4.5.2): a line that starts with ".." was a line starting with ".".
      const raw = data.replace(/(^|\r\n)\.\./g, "$1.");
      const envelope = { from: from ?? "", to };
      reset();
      if (deferNext > 0) {
        deferNext -= 1;
        state.deferred += 1;
        reply("451 4.3.0 Try again later");
        return;
      }
      messages.push({ ...envelope, ...parseMessage(raw), raw });
      reply(`250 2.0.0 Ok: queued as test-${messages.length}`);
    };

    const command = (line: string) => {
      const [verb = "", ...rest] = line.split(" ");
      const argument = rest.join(" ");
      switch (verb.toUpperCase()) {
        case "EHLO":
          reply("250-localhost greets you");
          if (options.auth) reply("250-AUTH PLAIN LOGIN");
          reply("250-8BITMIME");
          reply("250 SMTPUTF8");
          return;
        case "HELO":
          reply("250 localhost");
          return;
        case "AUTH": {
          const [mechanism = "", initial] = argument.split(" ");
          if (!options.auth) return reply("503 5.5.1 AUTH not offered");
          if (mechanism.toUpperCase() === "PLAIN" && initial) {
            const [, user, pass] = Buffer.from(initial, "base64").toString("utf8").split("\u0000");
            isAuthenticated = user === options.auth.user && pass === options.auth.pass;
            return reply(isAuthenticated ? "235 2.7.0 Authentication successful" : "535 5.7.8 Authentication credentials invalid");
          }
          if (mechanism.toUpperCase() === "LOGIN") {
            mode = "auth-login-user";
            return reply(`334 ${Buffer.from("Username:").toString("base64")}`);
          }
          return reply("504 5.5.4 Unrecognized authentication type");
        }
        case "MAIL":
          if (!isAuthenticated) return reply("530 5.7.0 Authentication required");
          from = addressOf(argument.replace(/^FROM:/i, ""));
          return reply("250 2.1.0 Ok");
        case "RCPT": {
          if (from === null) return reply("503 5.5.1 MAIL first");
          const address = addressOf(argument.replace(/^TO:/i, ""));
          if (rejected.has(address.toLowerCase())) return reply(`550 5.1.1 <${address}>: Recipient address rejected: User unknown`);
          to.push(address);
          return reply("250 2.1.5 Ok");
        }
        case "DATA":
          if (to.length === 0) return reply("503 5.5.1 RCPT first");
          mode = "data";
          data = "";
          return reply("354 End data with <CR><LF>.<CR><LF>");
        case "RSET":
          reset();
          return reply("250 2.0.0 Ok");
        case "NOOP":
          return reply("250 2.0.0 Ok");
        case "QUIT":
          reply("221 2.0.0 Bye");
          socket.end();
          return;
        default:
          return reply("502 5.5.2 Command not recognized");
      }
    };

    socket.on("data", (chunk: string) => {
      buffer += chunk;
      for (;;) {
        if (mode === "data") {
          const end = buffer.indexOf("\r\n.\r\n");
          // The terminator may also come right after the DATA reply, for an empty message.
          if (buffer.startsWith(".\r\n")) {
            buffer = buffer.slice(3);
            mode = "command";
            finishData();
            continue;
          }
          if (end === -1) return;
          data += buffer.slice(0, end);
          buffer = buffer.slice(end + 5);
          mode = "command";
          finishData();
          continue;
        }
        const newline = buffer.indexOf("\r\n");
        if (newline === -1) return;
        const line = buffer.slice(0, newline);
        buffer = buffer.slice(newline + 2);
        if (mode === "auth-login-user") {
          loginUser = Buffer.from(line, "base64").toString("utf8");
          mode = "auth-login-pass";
          reply(`334 ${Buffer.from("Password:").toString("base64")}`);
        } else if (mode === "auth-login-pass") {
          const pass = Buffer.from(line, "base64").toString("utf8");
          mode = "command";
          isAuthenticated = loginUser === options.auth?.user && pass === options.auth?.pass;
          reply(isAuthenticated ? "235 2.7.0 Authentication successful" : "535 5.7.8 Authentication credentials invalid");
        } else {
          command(line);
        }
      }
    });
    reply("220 localhost ESMTP test receiver");
  });

  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  const credentials = options.auth ? `${encodeURIComponent(options.auth.user)}:${encodeURIComponent(options.auth.pass)}@` : "";
  return {
    url: `smtp://${credentials}127.0.0.1:${port}`,
    port,
    messages,
    get deferred() {
      return state.deferred;
    },
    rejectRecipient: (address) => rejected.add(address.toLowerCase()),
    deferNext: (count) => {
      deferNext = count;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
