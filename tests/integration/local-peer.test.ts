import { spawn } from "node:child_process";
import { createServer, type Socket } from "node:net";
import { describe, expect, it } from "vitest";
import { loopbackPeerUid } from "../../control-plane/http/local-peer.ts";

/** Accepts one connection on `host` and answers the uid the kernel's socket tables give its client end. */
async function uidOfClient(
  host: string,
  connect: (port: number) => Promise<void>,
): Promise<number | null | undefined> {
  const server = createServer();
  const accepted = new Promise<Socket>((resolve) => server.once("connection", resolve));
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  const { port } = server.address() as { port: number };
  const client = connect(port);
  const socket = await accepted;
  try {
    return await loopbackPeerUid({
      remote: { address: socket.remoteAddress!, port: socket.remotePort! },
      local: { address: socket.localAddress!, port: socket.localPort! },
    });
  } finally {
    socket.destroy();
    server.close();
    await client.catch(() => {});
  }
}

/**
 * A client in a child process (as `uid` when given; this test may run as root), connected until the server
 * closes. It is bash's `/dev/tcp`, not this checkout's Node: another uid may not enter a private clone.
 */
function childClient(host: string, port: number, uid?: number): Promise<void> {
  const child = spawn("bash", ["-c", `exec 3<>/dev/tcp/${host}/${port} && cat <&3 >/dev/null`], {
    stdio: "ignore",
    cwd: "/",
    ...(uid !== undefined ? { uid, gid: uid } : {}),
  });
  return new Promise((resolve, reject) => {
    child.once("error", reject);
    child.once("exit", () => resolve());
  });
}

describe.skipIf(process.platform !== "linux")(
  "who owns a loopback connection (/proc/net/tcp and tcp6)",
  () => {
    it("a connection over IPv4 loopback belongs to the user that opened it", async () => {
      expect(await uidOfClient("127.0.0.1", (port) => childClient("127.0.0.1", port))).toBe(
        process.getuid!(),
      );
    });

    it("a connection over IPv6 loopback belongs to the user that opened it", async () => {
      expect(await uidOfClient("::1", (port) => childClient("::1", port))).toBe(process.getuid!());
    });

    it.skipIf(process.getuid?.() !== 0)("a connection from another uid is that uid's", async () => {
      expect(await uidOfClient("127.0.0.1", (port) => childClient("127.0.0.1", port, 200_999))).toBe(200_999);
    });

    it("an address that is no connection of this machine has no owner", async () => {
      const uid = await loopbackPeerUid({
        remote: { address: "203.0.113.9", port: 40_000 },
        local: { address: "127.0.0.1", port: 1 },
      });
      expect(uid).toBeNull();
    });
  },
);
