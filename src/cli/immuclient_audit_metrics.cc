#include "cli/immuclient_audit_metrics.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <functional>
#include <sstream>
#include <vector>

namespace immudb::cli {
namespace {

// Escapes a label value: backslash, double quote and newline.
std::string EscapeLabel(const std::string& v) {
  std::string out;
  for (char c : v) {
    if (c == '\\' || c == '"') {
      out += '\\';
      out += c;
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
  return out;
}

std::string Labels(const AuditResult& r) {
  return "{database=\"" + EscapeLabel(r.database) + "\",server_address=\"" +
         EscapeLabel(r.server_address) + "\",server_id=\"" + EscapeLabel(r.server_id) + "\"}";
}

void SendAll(int fd, const std::string& data) {
  size_t off = 0;
  while (off < data.size()) {
    ssize_t n = ::send(fd, data.data() + off, data.size() - off, MSG_NOSIGNAL);
    if (n <= 0) {
      if (n < 0 && errno == EINTR) continue;
      return;
    }
    off += size_t(n);
  }
}

}  // namespace

void AuditMetrics::Update(const AuditResult& r) {
  std::lock_guard<std::mutex> l(mu_);
  results_[Key{r.server_id, r.server_address, r.database}] = r;
}

void AuditMetrics::CountRound() {
  std::lock_guard<std::mutex> l(mu_);
  ++rounds_;
}

std::string AuditMetrics::Render() const {
  std::lock_guard<std::mutex> l(mu_);
  std::ostringstream out;
  out.precision(17);
  auto family = [&](const char* name, const char* help,
                    const std::function<double(const AuditResult&)>& value) {
    out << "# HELP " << name << " " << help << "\n# TYPE " << name << " gauge\n";
    for (const auto& [key, r] : results_) out << name << Labels(r) << " " << value(r) << "\n";
  };
  family("immuclient_audit_curr_root_per_server",
         "Tx id of the trusted state after the latest audit (-1: unknown).",
         [](const AuditResult& r) { return double(r.curr_tx); });
  family("immuclient_audit_prev_root_per_server",
         "Tx id of the trusted state before the latest audit (-1: none).",
         [](const AuditResult& r) { return double(r.prev_tx); });
  family("immuclient_audit_result_per_server",
         "Latest audit result (1 = ok, 0 = tampered, -1 = audit could not run).",
         [](const AuditResult& r) { return double(r.result); });
  family("immuclient_audit_run_at_per_server",
         "Timestamp in unix seconds at which the latest audit ran.",
         [](const AuditResult& r) { return r.run_at; });
  family("immuclient_audit_value_failures",
         "Sampled values that did not hash to their proven digest in the latest audit.",
         [](const AuditResult& r) { return double(r.value_failures); });
  family("immuclient_audit_values_checked",
         "Sampled values re-read and re-hashed against their proven digest in the latest audit.",
         [](const AuditResult& r) { return double(r.values_checked); });
  out << "# HELP immuclient_audit_rounds_total Audit rounds run since start.\n"
      << "# TYPE immuclient_audit_rounds_total counter\n"
      << "immuclient_audit_rounds_total " << rounds_ << "\n";
  return out.str();
}

Result<std::unique_ptr<MetricsHttpServer>> MetricsHttpServer::Start(const std::string& address,
                                                                    int port,
                                                                    const AuditMetrics* metrics) {
  if (port < 0 || port > 65535) return InvalidArgument("invalid monitoring port");
  sockaddr_in sa{};
  sa.sin_family = AF_INET;
  sa.sin_port = htons(uint16_t(port));
  if (::inet_pton(AF_INET, address.c_str(), &sa.sin_addr) != 1) {
    return InvalidArgument("invalid monitoring address (IPv4 expected): " + address);
  }
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return IoError(std::string("socket: ") + std::strerror(errno));
  int one = 1;
  ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
  if (::bind(fd, reinterpret_cast<sockaddr*>(&sa), sizeof(sa)) != 0 || ::listen(fd, 8) != 0) {
    std::string err = std::strerror(errno);
    ::close(fd);
    return IoError("cannot listen on " + address + ":" + std::to_string(port) + ": " + err);
  }
  socklen_t len = sizeof(sa);
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&sa), &len);
  return std::unique_ptr<MetricsHttpServer>(
      new MetricsHttpServer(fd, ntohs(sa.sin_port), metrics));
}

MetricsHttpServer::MetricsHttpServer(int fd, int port, const AuditMetrics* metrics)
    : fd_(fd), port_(port), metrics_(metrics) {
  thread_ = std::thread([this] { Serve(); });
}

MetricsHttpServer::~MetricsHttpServer() {
  stop_ = true;
  if (thread_.joinable()) thread_.join();
  ::close(fd_);
}

void MetricsHttpServer::Serve() {
  while (!stop_) {
    pollfd p{fd_, POLLIN, 0};
    int n = ::poll(&p, 1, 200);
    if (n <= 0) continue;
    int conn = ::accept4(fd_, nullptr, nullptr, SOCK_CLOEXEC);
    if (conn < 0) continue;
    HandleConnection(conn);
    ::close(conn);
  }
}

void MetricsHttpServer::HandleConnection(int conn) {
  timeval tv{2, 0};
  ::setsockopt(conn, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
  ::setsockopt(conn, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
  std::string req;
  char buf[1024];
  while (req.size() < 8192 && req.find("\r\n\r\n") == std::string::npos &&
         req.find("\n\n") == std::string::npos) {
    ssize_t n = ::recv(conn, buf, sizeof(buf), 0);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    req.append(buf, size_t(n));
  }
  std::string line = req.substr(0, req.find_first_of("\r\n"));
  std::istringstream ls(line);
  std::string method, target, version;
  ls >> method >> target >> version;
  std::string path = target.substr(0, target.find('?'));
  int code = 200;
  std::string reason = "OK", body, type = "text/plain; version=0.0.4; charset=utf-8";
  if (method.empty() || version.rfind("HTTP/1.", 0) != 0) {
    code = 400, reason = "Bad Request", body = "bad request\n", type = "text/plain";
  } else if (method != "GET" && method != "HEAD") {
    code = 405, reason = "Method Not Allowed", body = "method not allowed\n", type = "text/plain";
  } else if (path != "/metrics") {
    code = 404, reason = "Not Found", body = "not found\n", type = "text/plain";
  } else {
    body = metrics_->Render();
  }
  std::string head = "HTTP/1.1 " + std::to_string(code) + " " + reason +
                     "\r\nContent-Type: " + type +
                     "\r\nContent-Length: " + std::to_string(body.size()) +
                     "\r\nConnection: close\r\n\r\n";
  SendAll(conn, method == "HEAD" ? head : head + body);
}

}  // namespace immudb::cli
