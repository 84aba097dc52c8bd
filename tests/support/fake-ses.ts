import { createHash, createHmac } from "node:crypto";
import { createServer, type IncomingHttpHeaders } from "node:http";
import type { AddressInfo } from "node:net";

/** One request the fake SES endpoint received, as it came over the wire. */
export interface SesRequest {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

/**
 * An SES v2-compatible endpoint on loopback: it keeps every request and answers `SendEmail` like SES does
 * (`{MessageId}`), or with the error `reply` chooses. Requests are not verified here; `verifySigV4` does that.
 */
export async function startFakeSes(
  reply: (request: SesRequest, index: number) => { status: number; body: unknown } = () => ({
    status: 200,
    body: { MessageId: "0107018f-fake-message" },
  }),
) {
  const requests: SesRequest[] = [];
  const server = createServer((incoming, response) => {
    const chunks: Buffer[] = [];
    incoming.on("data", (chunk: Buffer) => chunks.push(chunk));
    incoming.on("end", () => {
      const request: SesRequest = {
        method: incoming.method ?? "",
        path: incoming.url ?? "",
        headers: incoming.headers,
        body: Buffer.concat(chunks),
      };
      requests.push(request);
      const { status, body } = reply(request, requests.length - 1);
      response.writeHead(status, { "content-type": "application/json" });
      response.end(JSON.stringify(body));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    requests,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/**
 * Whether `request` carries a valid AWS Signature Version 4 for this secret, recomputed from the bytes received
 * (canonical request, string to sign, derived key), independently of the SDK that signed it. Returns the
 * credential scope's parts when it does.
 */
export function verifySigV4(
  request: SesRequest,
  secretAccessKey: string,
): { accessKeyId: string; date: string; region: string; service: string } | null {
  const authorization = String(request.headers.authorization ?? "");
  const match =
    /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request, SignedHeaders=([^,]+), Signature=([0-9a-f]{64})$/.exec(
      authorization,
    );
  if (!match) return null;
  const [, accessKeyId = "", date = "", region = "", service = "", signedHeaders = "", signature] = match;
  const amzDate = String(request.headers["x-amz-date"] ?? "");
  if (!amzDate.startsWith(date)) return null;
  const [path = "", query = ""] = request.path.split("?");
  const canonicalQuery = query.split("&").filter(Boolean).sort().join("&");
  const headerLines = signedHeaders.split(";").map((name) => {
    const value = request.headers[name];
    return `${name}:${(Array.isArray(value) ? value.join(",") : String(value ?? "")).trim().replace(/\s+/g, " ")}`;
  });
  const sha256 = (data: string | Buffer) => createHash("sha256").update(data).digest("hex");
  const canonicalRequest = [
    request.method,
    path,
    canonicalQuery,
    ...headerLines,
    "",
    signedHeaders,
    sha256(request.body),
  ].join("\n");
  const scope = `${date}/${region}/${service}/aws4_request`;
  const stringToSign = ["AWS4-HMAC-SHA256", amzDate, scope, sha256(canonicalRequest)].join("\n");
  const hmac = (key: string | Buffer, data: string) => createHmac("sha256", key).update(data).digest();
  const key = hmac(hmac(hmac(hmac(`AWS4${secretAccessKey}`, date), region), service), "aws4_request");
  const expected = createHmac("sha256", key).update(stringToSign).digest("hex");
  return expected === signature ? { accessKeyId, date, region, service } : null;
}
