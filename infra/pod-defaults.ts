/** What every pod of the control-plane image shares, whichever role it serves. */

/** Readiness from `/readyz` (database and queue), liveness from `/healthz`, on the `http` port. */
export const healthProbes = {
  readinessProbe: { httpGet: { path: "/readyz", port: "http" }, periodSeconds: 10 },
  livenessProbe: { httpGet: { path: "/healthz", port: "http" }, periodSeconds: 10, failureThreshold: 6 },
};

/** Pod Security `restricted` for the container: no escalation, a read-only root, no capabilities. */
export const restrictedContainerSecurity = {
  allowPrivilegeEscalation: false,
  readOnlyRootFilesystem: true,
  capabilities: { drop: ["ALL"] },
};

/** The two writable folders of a read-only root: `/tmp` and `/data`, both emptyDirs of the pod. */
export const workVolumeMounts = [
  { name: "tmp", mountPath: "/tmp" },
  { name: "data", mountPath: "/data" },
];
