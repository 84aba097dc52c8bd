import { request } from "node:http";
import dns2 from "dns2";

export interface HostResponse {
  status: number;
  headers: Record<string, string>;
  body: Buffer;
  text(): string;
  // biome-ignore lint/suspicious/noExplicitAny: answers are read loosely in tests, checked by expect
  json(): any;
}

/**
 * One HTTP request to the control plane on loopback with any Host header (a public site, a custom domain, a
 * tenant host): no DNS involved, and the raw bytes come back undecoded (no automatic decompression).
 */
export async function hostRequest(
  port: number,
  host: string,
  path: string,
  init: { method?: string; headers?: Record<string, string>; body?: string | Buffer } = {},
): Promise<HostResponse> {
  return await new Promise((resolve, reject) => {
    const req = request(
      {
        host: "127.0.0.1",
        port,
        path,
        method: init.method ?? "GET",
        headers: {
          ...(init.body ? { "content-length": String(Buffer.byteLength(init.body)) } : {}),
          ...init.headers,
          host: `${host}:${port}`,
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (chunk) => chunks.push(chunk));
        res.on("end", () => {
          const body = Buffer.concat(chunks);
          const headers: Record<string, string> = {};
          for (const [name, value] of Object.entries(res.headers))
            if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(", ") : value;
          resolve({
            status: res.statusCode ?? 0,
            headers,
            body,
            text: () => body.toString("utf8"),
            json: () => JSON.parse(body.toString("utf8")),
          });
        });
      },
    );
    req.on("error", reject);
    if (init.body) req.write(init.body);
    req.end();
  });
}

/** A form post as a browser sends it. */
export function formPost(fields: Record<string, string>, headers: Record<string, string> = {}) {
  const body = new URLSearchParams(fields).toString();
  return {
    method: "POST",
    headers: {
      "content-type": "application/x-www-form-urlencoded",
      "content-length": String(Buffer.byteLength(body)),
      ...headers,
    },
    body,
  };
}

/** RFC 1035 response code: the name does not exist. */
const NXDOMAIN = 3;

export interface LoopbackDns {
  /** `127.0.0.1:<port>`, for WEBSPLAT_DNS_RESOLVER. */
  address: string;
  setCname(name: string, target: string | null): void;
  /** One TXT record, several (a name may hold many), or none. */
  setTxt(name: string, value: string | string[] | null): void;
  close(): Promise<void>;
}

/** A real DNS server (UDP) on loopback answering the CNAME and TXT records the test sets; NXDOMAIN otherwise. */
export async function startLoopbackDns(): Promise<LoopbackDns> {
  const cnames = new Map<string, string>();
  const txts = new Map<string, string[]>();
  const { Packet } = dns2;
  const server = dns2.createServer({
    udp: true,
    handle: (req, send) => {
      const response = Packet.createResponseFromRequest(req);
      const [question] = req.questions;
      const name = question?.name.toLowerCase() ?? "";
      const cname = cnames.get(name);
      const txt = txts.get(name);
      // dns2's types describe decoded resources; an answer to encode needs only these fields.
      const answer = (fields: Record<string, unknown>) => response.answers.push(fields as never);
      if (question?.type === Packet.TYPE.CNAME && cname)
        answer({ name, type: Packet.TYPE.CNAME, class: Packet.CLASS.IN, ttl: 1, domain: cname });
      else if (question?.type === Packet.TYPE.TXT && txt)
        for (const data of txt) answer({ name, type: Packet.TYPE.TXT, class: Packet.CLASS.IN, ttl: 1, data });
      else if (!cname && !txt) response.header.rcode = NXDOMAIN;
      send(response);
    },
  });
  const addresses = await server.listen({ udp: { port: 0, address: "127.0.0.1" } });
  return {
    address: `127.0.0.1:${addresses.udp!.port}`,
    setCname: (name, target) => (target ? cnames.set(name, target) : cnames.delete(name)),
    setTxt: (name, value) =>
      value ? txts.set(name, Array.isArray(value) ? value : [value]) : txts.delete(name),
    close: async () => {
      await server.close();
    },
  };
}
