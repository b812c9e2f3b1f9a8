#!/bin/bash
# The reference document's shell procedure (shared/reference/000_b219ca6ac791629b.txt),
# as the baseline of scripts/bench: the heredocs below are the document's text verbatim,
# with one change for a container that has no networking.service (the agent's benchmark
# config drops it too, via kubelet.unitRequires: []): the unit's `Requires=` line is gone.
#
#   document-procedure.sh [--root DIR] [--tls CA_CERT CA_KEY] [--no-start]
#
#   --root DIR   write under DIR (as master-agent --root does) and enable with
#                `systemctl --root=DIR enable` (symlinks only, no running systemd).
#   --tls C K    first run the document's openssl steps in DIR/etc/kubernetes/ssl:
#                openssl.cnf, genrsa 2048, req -new, x509 -req signed by C/K
#                (the CA host's part, done locally), cat ca.crt >> apiserver.crt.
#   --no-start   skip the final `systemctl start kubelet`.
set -e
ROOT=""
TLS_CA_CERT=""
TLS_CA_KEY=""
START=yes
while [ $# -gt 0 ]; do
    case "$1" in
        --root) ROOT=$2; shift 2 ;;
        --tls) TLS_CA_CERT=$2; TLS_CA_KEY=$3; shift 3 ;;
        --no-start) START=no; shift ;;
        *) echo "document-procedure.sh: unknown argument $1" >&2; exit 2 ;;
    esac
done
systemctl_() { if [ -n "$ROOT" ]; then systemctl --root="$ROOT" "$@"; else systemctl "$@"; fi; }
mkdir -p "$ROOT/etc/systemd/system" "$ROOT/etc/kubernetes/manifests"

if [ -n "$TLS_CA_CERT" ]; then
mkdir -p "$ROOT/etc/kubernetes/ssl"
cd "$ROOT/etc/kubernetes/ssl"
cat > openssl.cnf <<EOF
[req]
req_extensions = v3_req
distinguished_name = req_distinguished_name
[req_distinguished_name]
[ v3_req ]
basicConstraints = CA:FALSE
keyUsage = nonRepudiation, digitalSignature, keyEncipherment
subjectAltName = @alt_names
[alt_names]
DNS.1 = localhost
DNS.2 = kubernetes
DNS.3 = kubernetes.default
DNS.4 = loadbalancer.example.com
DNS.6 = master01.example.com
DNS.7 = master02.example.com
IP.1 = 127.0.0.1
IP.2 = 10.3.0.1
IP.3 = 192.168.3.1
IP.4 = 192.168.1.1
IP.5 = 192.168.1.2
EOF
openssl genrsa -out apiserver.key 2048 2>/dev/null
chmod 600 apiserver.key
openssl \
  req -new \
  -key apiserver.key \
  -out apiserver.csr \
  -subj "/CN=kube-apiserver" \
  -extensions v3_req \
  -config openssl.cnf \
  -sha256
openssl x509 \
  -req \
  -CA "$TLS_CA_CERT" \
  -CAkey "$TLS_CA_KEY" \
  -CAcreateserial \
  -CAserial "$ROOT/etc/kubernetes/ssl/ca.srl" \
  -in apiserver.csr \
  -out apiserver.crt \
  -days 365 \
  -extensions v3_req \
  -extfile openssl.cnf \
  -sha256 2>/dev/null
cat "$TLS_CA_CERT" >> apiserver.crt
cp "$TLS_CA_CERT" ca.crt
rm -f openssl.cnf apiserver.csr
cd /
fi

cat > "$ROOT/etc/systemd/system/kubelet.service" << EOF
[Unit]
Description=The primary agent to run pods
Documentation=http://kubernetes.io/docs/admin/kubelet/
After=docker.service

[Service]
ExecStart=/usr/local/bin/kubelet \\
  --api-servers=http://127.0.0.1:8080 \\
  --register-schedulable=false \\
  --register-node=true \\
  --allow-privileged=true \\
  --config=/etc/kubernetes/manifests \\
  --cluster-dns=10.3.0.2 \\
  --cluster-domain=cluster.local \\
  --housekeeping-interval=60s
Restart=always
RestartSec=10
[Install]
WantedBy=multi-user.target
EOF
systemctl_ enable kubelet

cat > "$ROOT/etc/kubernetes/manifests/kube-apiserver" << EOF
apiVersion: v1
kind: Pod
metadata:
  name: kube-apiserver
  namespace: kube-system
spec:
  hostNetwork: true
  containers:
  - name: kube-apiserver
    image: quay.io/coreos/hyperkube:v1.2.2_coreos.0
    command:
    - /hyperkube
    - apiserver
    - --bind-address=0.0.0.0
    - --etcd-servers=https://192.168.0.1:2379,https://192.168.0.2:2379,https://192.168.0.3:2379
    - --etcd-cafile=/etc/ssl/etcd/ca.crt
    - --etcd-certfile=/etc/ssl/etcd/etcd-client.crt
    - --etcd-keyfile=/etc/ssl/etcd/etcd-client.key
    - --allow-privileged=true
    - --service-cluster-ip-range=10.3.0.0/24
    - --secure-port=443
    - --advertise-address=192.168.3.1
    - --admission-control=NamespaceLifecycle,NamespaceExists,LimitRanger,SecurityContextDeny,ServiceAccount,ResourceQuota
    - --tls-cert-file=/etc/kubernetes/ssl/apiserver.crt
    - --tls-private-key-file=/etc/kubernetes/ssl/apiserver.key
    - --client-ca-file=/etc/ssl/etcd/ca.crt
    - --service-account-key-file=/etc/kubernetes/ssl/apiserver.key
    - --apiserver-count=2
    ports:
    - containerPort: 443
      hostPort: 443
      name: https
    - containerPort: 8080
      hostPort: 8080
      name: local
    volumeMounts:
    - mountPath: /etc/kubernetes/ssl
      name: ssl-certs-kubernetes
      readOnly: true
    - mountPath: /etc/ssl/certs
      name: ssl-certs-host
      readOnly: true
    - mountPath: /etc/ssl/etcd
      name: ssl-certs-etcd
      readOnly: true
  volumes:
  - hostPath:
      path: /etc/kubernetes/ssl
    name: ssl-certs-kubernetes
  - hostPath:
      path: /usr/share/ca-certificates
    name: ssl-certs-host
  - hostPath:
      path: /etc/ssl/etcd
    name: ssl-certs-etcd
EOF
cat > "$ROOT/etc/kubernetes/manifests/kube-controller-manager" << EOF
apiVersion: v1
kind: Pod
metadata:
  name: kube-controller-manager
  namespace: kube-system
spec:
  hostNetwork: true
  containers:
  - name: kube-controller-manager
    image: quay.io/coreos/hyperkube:v1.2.2_coreos.0
    command:
    - /hyperkube
    - controller-manager
    - --master=http://127.0.0.1:8080
    - --leader-elect=true
    - --service-account-private-key-file=/etc/kubernetes/ssl/apiserver.key
    - --root-ca-file=/etc/ssl/etcd/ca.crt
    livenessProbe:
      httpGet:
        host: 127.0.0.1
        path: /healthz
        port: 10252
      initialDelaySeconds: 15
      timeoutSeconds: 1
    volumeMounts:
    - mountPath: /etc/kubernetes/ssl
      name: ssl-certs-kubernetes
      readOnly: true
    - mountPath: /etc/ssl/certs
      name: ssl-certs-host
      readOnly: true
    - mountPath: /etc/ssl/etcd
      name: ssl-certs-etcd
      readOnly: true
  volumes:
  - hostPath:
      path: /etc/kubernetes/ssl
    name: ssl-certs-kubernetes
  - hostPath:
      path: /usr/share/ca-certificates
    name: ssl-certs-host
  - hostPath:
      path: /etc/ssl/etcd
    name: ssl-certs-etcd
EOF
cat > "$ROOT/etc/kubernetes/manifests/kube-proxy" << EOF
apiVersion: v1
kind: Pod
metadata:
  name: kube-proxy
  namespace: kube-system
spec:
  hostNetwork: true
  containers:
  - name: kube-proxy
    image: quay.io/coreos/hyperkube:v1.2.2_coreos.0
    command:
    - /hyperkube
    - proxy
    - --master=http://127.0.0.1:8080
    - --proxy-mode=iptables
    securityContext:
      privileged: true
    volumeMounts:
    - mountPath: /etc/ssl/certs
      name: ssl-certs-host
      readOnly: true
  volumes:
  - hostPath:
      path: /usr/share/ca-certificates
    name: ssl-certs-host
EOF
cat > "$ROOT/etc/kubernetes/manifests/kube-scheduler" << EOF
apiVersion: v1
kind: Pod
metadata:
  name: kube-scheduler
  namespace: kube-system
spec:
  hostNetwork: true
  containers:
  - name: kube-scheduler
    image: quay.io/coreos/hyperkube:v1.2.2_coreos.0
    command:
    - /hyperkube
    - scheduler
    - --master=http://127.0.0.1:8080
    - --leader-elect=true
    livenessProbe:
      httpGet:
        host: 127.0.0.1
        path: /healthz
        port: 10251
      initialDelaySeconds: 15
      timeoutSeconds: 1
EOF

[ "$START" = no ] || systemctl_ start kubelet
