import { type ChildProcess, execFile, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { lstat, readdir } from "node:fs/promises";
import { createServer } from "node:net";
import { join, resolve } from "node:path";
import { promisify } from "node:util";

/**
 * Images built and started for real on this machine, the way the cluster runs them: podman builds
 * (`--isolation=chroot`), buildah starts a container as uid 10001 whose image directories are bound
 * read-only over themselves, with only the declared writable paths bound from host temp dirs.
 */

const run = promisify(execFile);
export const ROOT = resolve(import.meta.dirname, "../../..");

export function progress(message: string): void {
  process.stderr.write(`[images] ${message}\n`);
}

export async function hasContainerTools(): Promise<boolean> {
  try {
    await run("podman", ["--version"]);
    await run("buildah", ["--version"]);
    return true;
  } catch {
    return false;
  }
}

/** Runs a command, streaming its `STEP` lines as progress; rejects with its last output lines. */
export function streamed(command: string, args: string[], label: string): Promise<string> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(command, args, { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    const started = Date.now();
    const onData = (chunk: Buffer) => {
      const text = chunk.toString();
      output += text;
      for (const line of text.split("\n")) {
        if (/^\[\d+\/\d+\] STEP \d+\/\d+|^STEP \d+\/\d+|^node-base:/.test(line)) {
          progress(`${label} ${Math.round((Date.now() - started) / 1000)}s: ${line.slice(0, 110)}`);
        }
      }
    };
    child.stdout.on("data", onData);
    child.stderr.on("data", onData);
    child.on("error", reject);
    child.on("close", (code) => {
      if (code === 0) resolvePromise(output);
      else reject(new Error(`${label} failed (exit ${code}):\n${output.split("\n").slice(-40).join("\n")}`));
    });
  });
}

/** The local Node 24 base image (cached across runs by scripts/images/node-base.sh). */
export async function nodeBaseImage(): Promise<string> {
  const output = await streamed(join(ROOT, "scripts/images/node-base.sh"), [], "base image");
  return output.trim().split("\n").at(-1) as string;
}

/** The host's CA bundle, handed to the build as a secret so Node can reach the package registry. */
export function hostCaBundle(): string | undefined {
  return [process.env.NODE_EXTRA_CA_CERTS, "/etc/ssl/certs/ca-certificates.crt"].find(
    (path): path is string => Boolean(path && existsSync(path)),
  );
}

export interface BuildOptions {
  dockerfile: string;
  tag: string;
  baseImage: string;
  /** Named build contexts (`name=dir`). */
  contexts?: Record<string, string>;
}

export async function buildImage(options: BuildOptions): Promise<void> {
  const ca = hostCaBundle();
  const args = [
    "build",
    "--isolation=chroot",
    "--layers",
    "-f",
    options.dockerfile,
    "--build-arg",
    `NODE_IMAGE=${options.baseImage}`,
    ...(ca ? ["--secret", `id=build-ca,src=${ca}`] : []),
    ...Object.entries(options.contexts ?? {}).flatMap(([name, dir]) => ["--build-context", `${name}=${dir}`]),
    "-t",
    options.tag,
    ".",
  ];
  await streamed("podman", args, `build ${options.tag}`);
}

/** A container made from an image, its root filesystem mounted on the host. */
export class Container {
  readonly #processes = new Set<ChildProcess>();
  readonly id: string;
  readonly rootfs: string;
  readonly mounts: string[];

  private constructor(id: string, rootfs: string, mounts: string[]) {
    this.id = id;
    this.rootfs = rootfs;
    this.mounts = mounts;
  }

  /**
   * `writable` maps container paths to host dirs. Every other top-level directory of the image is
   * bound read-only over itself: the closest buildah run gets to `readOnlyRootFilesystem`.
   */
  static async create(image: string, writable: Record<string, string>): Promise<Container> {
    const { stdout: id } = await run("buildah", ["from", "--pull=never", image]);
    const container = id.trim();
    const { stdout: mounted } = await run("buildah", ["mount", container]);
    const rootfs = mounted.trim();
    const mounts: string[] = [];
    const skip = new Set(["proc", "sys", "dev", "run", ...Object.keys(writable).map((p) => p.split("/")[1])]);
    for (const entry of await readdir(rootfs)) {
      if (skip.has(entry) || (await lstat(join(rootfs, entry))).isSymbolicLink()) continue;
      mounts.push("--mount", `type=bind,src=${join(rootfs, entry)},dst=/${entry},ro=true`);
    }
    for (const [path, dir] of Object.entries(writable)) {
      mounts.push("--mount", `type=bind,src=${dir},dst=${path},rw=true`);
    }
    return new Container(container, rootfs, mounts);
  }

  #args(env: Record<string, string>, command: string[]): string[] {
    return [
      "run",
      "--isolation",
      "chroot",
      "--user",
      "10001:10001",
      ...Object.entries(env).flatMap(([key, value]) => ["--env", `${key}=${value}`]),
      ...this.mounts,
      this.id,
      "--",
      ...command,
    ];
  }

  /** Starts a long-running process in the container; its output is collected. */
  start(
    env: Record<string, string>,
    command: string[],
  ): { output: () => string; exited: Promise<number | null> } {
    const child = spawn("buildah", this.#args(env, command), {
      detached: true,
      stdio: ["ignore", "pipe", "pipe"],
    });
    this.#processes.add(child);
    let output = "";
    child.stdout?.on("data", (chunk) => {
      output += chunk;
    });
    child.stderr?.on("data", (chunk) => {
      output += chunk;
    });
    const exited = new Promise<number | null>((resolvePromise) => child.on("close", resolvePromise));
    exited.then(() => this.#processes.delete(child));
    return { output: () => output, exited };
  }

  /** Runs a command to its end in the container (as the image's user, with the same mounts). */
  async exec(env: Record<string, string>, command: string[]): Promise<string> {
    const { stdout, stderr } = await run("buildah", this.#args(env, command));
    return stdout + stderr;
  }

  async remove(): Promise<void> {
    for (const child of this.#processes) {
      // The whole group: buildah and the process it started in the container.
      if (child.pid) process.kill(-child.pid, "SIGTERM");
    }
    await Promise.all([...this.#processes].map((child) => new Promise((r) => child.once("close", r))));
    await run("buildah", ["umount", this.id]).catch(() => {});
    await run("buildah", ["rm", this.id]).catch(() => {});
  }
}

export async function freePort(): Promise<number> {
  return new Promise((resolvePromise, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => resolvePromise(typeof address === "object" && address ? address.port : 0));
    });
  });
}

/** Waits until `url` answers 200, or the process exits, or the time is up. */
export async function until200(
  url: string,
  exited: Promise<number | null>,
  output: () => string,
  timeoutMs = 120_000,
): Promise<Response> {
  let done: number | null | undefined;
  exited.then((code) => {
    done = code;
  });
  const deadline = Date.now() + timeoutMs;
  let last = "no answer";
  while (Date.now() < deadline) {
    if (done !== undefined)
      throw new Error(`The container exited (${done}) before ${url} answered:\n${output()}`);
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(2_000) });
      if (response.status === 200) return response;
      last = `${response.status} ${await response.text()}`;
    } catch (error) {
      last = String(error);
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`${url} did not answer 200 within ${timeoutMs / 1000}s (last: ${last}):\n${output()}`);
}
