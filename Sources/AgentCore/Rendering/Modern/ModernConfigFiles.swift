/// The API server's configuration files of the modern profile: the reference's files
/// (`../shared/reference/modern-1.36/`), byte for byte, comments included. They hold no node-specific value.
package enum ModernConfigFiles {
    /// `--audit-policy-file` (CIS 3.2.1, 3.2.2): no bodies of Secrets, ConfigMaps or tokens; no health, lease
    /// or Event noise.
    package static let auditPolicy = """
        # /etc/kubernetes/audit-policy.yaml  (--audit-policy-file; CIS 3.2.1 minimal policy, 3.2.2 key concerns)
        # First matching rule wins. Bodies of Secrets/ConfigMaps/tokens are never logged.
        apiVersion: audit.k8s.io/v1
        kind: Policy
        omitStages:
          - RequestReceived          # one event per request (ResponseComplete / ResponseStarted for watches, exec)
        omitManagedFields: true
        rules:
          # Health and version probes: high volume, no security value.
          - level: None
            nonResourceURLs:
              - /healthz*
              - /livez*
              - /readyz*
              - /version
              - /version/
          # Leader election / node heartbeats (several requests per second, always the same).
          - level: None
            users:
              - system:kube-controller-manager
              - system:kube-scheduler
            verbs: ["get", "update"]
            resources:
              - group: coordination.k8s.io
                resources: ["leases"]
          - level: None
            userGroups: ["system:nodes"]
            verbs: ["get", "update", "patch"]
            resources:
              - group: coordination.k8s.io
                resources: ["leases"]
          # Events are an audit-like stream of their own.
          - level: None
            resources:
              - group: ""
                resources: ["events"]
              - group: events.k8s.io
                resources: ["events"]
          # Credentials: who touched them, never their content.
          - level: Metadata
            resources:
              - group: ""
                resources: ["secrets", "configmaps", "serviceaccounts/token"]
              - group: authentication.k8s.io
                resources: ["tokenreviews"]
          # Interactive access into workloads and nodes.
          - level: Metadata
            resources:
              - group: ""
                resources: ["pods/exec", "pods/attach", "pods/portforward", "pods/proxy", "services/proxy", "nodes/proxy"]
          # Every other change: who changed what, with the request body (RBAC, workloads, ...).
          - level: Request
            verbs: ["create", "update", "patch", "delete", "deletecollection"]
          # Everything else (reads, watches, discovery): metadata only.
          - level: Metadata

        """

    /// `--admission-control-config-file`: the limits EventRateLimit requires to start.
    package static let admissionConfig = """
        # /etc/kubernetes/admission-config.yaml  (--admission-control-config-file; CIS 1.2.9 EventRateLimit)
        apiVersion: apiserver.config.k8s.io/v1
        kind: AdmissionConfiguration
        plugins:
          - name: EventRateLimit
            configuration:
              apiVersion: eventratelimit.admission.k8s.io/v1alpha1
              kind: Configuration
              limits:
                # ceiling for the whole apiserver
                - type: Server
                  qps: 5000
                  burst: 20000
                # one noisy namespace cannot flood etcd with Events
                - type: Namespace
                  qps: 50
                  burst: 100
                  cacheSize: 2000

        """

    /// `--authentication-config`: anonymous requests only on /livez, /readyz and /healthz. Kubernetes v1.34 made
    /// AuthenticationConfiguration GA as `apiserver.config.k8s.io/v1`; v1.33 reads the same fields only as
    /// `v1beta1` (its anonymous section is beta there and on by default), so that is what it gets.
    package static func authenticationConfig(_ kubernetesVersion: String) -> String {
        let apiVersion = minor(of: kubernetesVersion).map { $0 < 34 } == true ? "v1beta1" : "v1"
        return """
            # /etc/kubernetes/authentication-config.yaml  (--authentication-config; KEP-4633, GA and locked on since 1.34)
            # Anonymous requests are authenticated (as system:anonymous) ONLY for these three paths; on every other
            # path a request without credentials gets 401. Replaces --anonymous-auth (the two flags are mutually
            # exclusive when this file has an anonymous: section).
            apiVersion: apiserver.config.k8s.io/\(apiVersion)
            kind: AuthenticationConfiguration
            anonymous:
              enabled: true
              conditions:
                - path: /livez
                - path: /readyz
                - path: /healthz

            """
    }

    // The minor version of a validated `v1.MINOR.PATCH`.
    private static func minor(of version: String) -> Int? {
        let parts = version.split(separator: ".")
        return parts.count == 3 ? Int(parts[1]) : nil
    }
}
