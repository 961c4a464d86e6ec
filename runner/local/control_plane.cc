#include "runner/local/control_plane.h"

#include <fcntl.h>
#include <fmt/format.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <thread>

namespace npf::runner::local {

namespace fs = std::filesystem;

namespace {

using Clock = std::chrono::steady_clock;

std::string randomHex(size_t bytes) {
  std::string out;
  int fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);
  unsigned char b[64] = {0};
  if (fd >= 0) {
    ssize_t got = read(fd, b, std::min(bytes, sizeof b));
    (void)got;
    close(fd);
  }
  for (size_t i = 0; i < bytes && i < sizeof b; ++i) out += fmt::format("{:02x}", b[i]);
  return out;
}

std::string writeText(const std::string& path, const std::string& text, fs::perms perms) {
  std::ofstream out(path, std::ios::trunc);
  out << text;
  if (!out) return "cannot write " + path;
  out.close();
  std::error_code ec;
  fs::permissions(path, perms, ec);
  return "";
}

}  // namespace

ControlPlane::ControlPlane(ControlPlaneOptions options) : opt_(std::move(options)) {
  proc_ = opt_.processes ? opt_.processes : &realProcessRunner();
  dir_ = opt_.stateDir + "/cp";
}

ControlPlane::~ControlPlane() { stop(); }

std::vector<std::string> ControlPlane::logFiles() const {
  return {opt_.logDir + "/etcd.log", opt_.logDir + "/kube-apiserver.log"};
}

std::string ControlPlane::writeFiles() {
  std::error_code ec;
  fs::create_directories(dir_ + "/certs", ec);
  fs::create_directories(dir_ + "/etcd", ec);
  fs::create_directories(opt_.logDir, ec);
  if (ec) return "cannot create " + dir_ + " or " + opt_.logDir + ": " + ec.message();
  token_ = randomHex(24);
  if (auto e = writeText(dir_ + "/tokens.csv", token_ + ",netpolfuzz,netpolfuzz,system:masters\n",
                         fs::perms::owner_read | fs::perms::owner_write);
      !e.empty())
    return e;
  auto r =
      proc_->run({"openssl", "genrsa", "-out", dir_ + "/sa.key", "2048"}, defaultToolEnv(), "", "");
  if (!r.ok()) return "openssl genrsa (service-account key): " + r.err;
  kubeconfig_ = dir_ + "/kubeconfig";
  std::string kubeconfig = fmt::format(
      "apiVersion: v1\nkind: Config\nclusters:\n- name: netpolfuzz\n  cluster:\n    server: {}\n"
      "    certificate-authority: {}\nusers:\n- name: netpolfuzz\n  user:\n    token: {}\n"
      "contexts:\n- name: netpolfuzz\n  context:\n    cluster: netpolfuzz\n    user: netpolfuzz\n"
      "current-context: netpolfuzz\n",
      server_, dir_ + "/certs/apiserver.crt", token_);
  return writeText(kubeconfig_, kubeconfig, fs::perms::owner_read | fs::perms::owner_write);
}

std::string ControlPlane::start(const std::vector<ControlPlaneNode>& nodes) {
  std::string apiserverBin = opt_.binDir + "/kube-apiserver-" + kKubeVersion;
  if (access(apiserverBin.c_str(), X_OK) != 0)
    return fmt::format(
        "{} not found: build it with scripts/install-deps.sh --with-kube-router (or point "
        "NETPOLFUZZ_BIN_DIR at a directory that has it)",
        apiserverBin);
  // The first /24 of 169.254.100-199 that holds no address of the case.
  for (int third = 100; third < 200 && subnetPrefix_.empty(); ++third) {
    bool clash = false;
    for (const auto& ip : opt_.avoid)
      if (ip.family == IpFamily::V4 &&
          toString(ip).rfind(fmt::format("169.254.{}.", third), 0) == 0)
        clash = true;
    if (!clash) subnetPrefix_ = fmt::format("169.254.{}.", third);
  }
  if (subnetPrefix_.empty()) return "no free /24 in 169.254.100-199.0/24 for the control plane";
  if (nodes.size() > 200) return "the control plane links at most 200 nodes";
  std::string apiIp = subnetPrefix_ + "1";
  server_ = "https://" + apiIp + ":6443";
  if (auto e = writeFiles(); !e.empty()) return e;

  // The control namespace, a bridge, and one veth per node (cp0 inside the node).
  std::string cp = netns();
  auto ip = [&](const std::string& ns, const std::string& batch) -> std::string {
    auto r = proc_->run({"ip", "-batch", "-"}, defaultToolEnv(), batch, ns);
    return r.ok() ? "" : fmt::format("ip -batch in {}: {}", ns.empty() ? "root" : ns, r.err);
  };
  if (auto e = ip("", "netns add " + cp + "\n"); !e.empty()) return e;
  std::string batch = fmt::format(
      "link set lo up\nlink add br0 type bridge\naddr add {}/24 dev br0\nlink set br0 up\n", apiIp);
  for (size_t i = 0; i < nodes.size(); ++i)
    batch += fmt::format(
        "link add n{0} type veth peer name cp0 netns {1}\nlink set n{0} master br0\n"
        "link set n{0} up\n",
        i, nodes[i].netns);
  if (auto e = ip(cp, batch); !e.empty()) return e;
  for (size_t i = 0; i < nodes.size(); ++i)
    if (auto e = ip(nodes[i].netns, fmt::format("addr add {}{}/24 dev cp0\nlink set cp0 up\n",
                                                subnetPrefix_, 10 + i));
        !e.empty())
      return e;

  const std::vector<std::string> env{"PATH=/usr/sbin:/usr/bin:/sbin:/bin", "LC_ALL=C",
                                     "HOME=" + dir_};
  if (auto e = etcd_.start(
          {opt_.etcdPath, "--name", "netpolfuzz", "--data-dir", dir_ + "/etcd",
           "--listen-client-urls", "http://127.0.0.1:2379", "--advertise-client-urls",
           "http://127.0.0.1:2379", "--listen-peer-urls", "http://127.0.0.1:2380",
           "--initial-advertise-peer-urls", "http://127.0.0.1:2380", "--initial-cluster",
           "netpolfuzz=http://127.0.0.1:2380", "--listen-metrics-urls", "http://127.0.0.1:2381"},
          env, cp, logFiles()[0]);
      !e.empty())
    return "etcd (Debian package etcd-server): " + e;
  std::string disabledAdmission = "ServiceAccount";
  for (const auto& plugin : opt_.disabledAdmission) disabledAdmission += "," + plugin;
  if (auto e = apiserver_.start(
          {apiserverBin, "--etcd-servers=http://127.0.0.1:2379", "--bind-address=" + apiIp,
           "--advertise-address=" + apiIp, "--secure-port=6443", "--cert-dir=" + dir_ + "/certs",
           "--token-auth-file=" + dir_ + "/tokens.csv", "--authorization-mode=AlwaysAllow",
           "--service-account-key-file=" + dir_ + "/sa.key",
           "--service-account-signing-key-file=" + dir_ + "/sa.key",
           "--service-account-issuer=https://kubernetes.default.svc",
           "--service-cluster-ip-range=" + opt_.serviceCidr,
           "--disable-admission-plugins=" + disabledAdmission,
           "--enable-priority-and-fairness=false", "--allow-privileged=true",
           "--endpoint-reconciler-type=none", "--profiling=false"},
          env, cp, logFiles()[1]);
      !e.empty())
    return "kube-apiserver: " + e;

  api_ = std::make_unique<KubeApi>(cp, server_, token_, dir_ + "/certs/apiserver.crt");
  auto t0 = Clock::now();
  auto deadline = t0 + std::chrono::milliseconds(opt_.readyTimeoutMs);
  std::string last;
  while (Clock::now() < deadline) {
    if (auto h = health(); !h.empty()) return h;
    // The certificate exists once the server has written it; until then TLS cannot be checked.
    if (access((dir_ + "/certs/apiserver.crt").c_str(), R_OK) == 0) {
      auto r = api_->get("/readyz");
      if (r.ok()) {
        readyMs_ = std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
        return "";
      }
      last = r.describe();
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  return fmt::format("the API server was not ready after {} s (last answer: {}); see {} and {}",
                     opt_.readyTimeoutMs / 1000, last.empty() ? "none" : last, logFiles()[1],
                     logFiles()[0]);
}

std::string ControlPlane::health() {
  if (etcd_.pid() > 0 && !etcd_.running())
    return fmt::format("etcd {}; see {}:\n{}", etcd_.exitDescription(), logFiles()[0],
                       tailOfFile(logFiles()[0], 1500));
  if (apiserver_.pid() > 0 && !apiserver_.running())
    return fmt::format("kube-apiserver {}; see {}:\n{}", apiserver_.exitDescription(),
                       logFiles()[1], tailOfFile(logFiles()[1], 1500));
  return "";
}

void ControlPlane::stop() {
  api_.reset();
  apiserver_.stop();
  etcd_.stop();
}

}  // namespace npf::runner::local
