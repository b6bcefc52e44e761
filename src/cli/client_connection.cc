#include "cli/client_connection.h"

#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>

namespace immudb::cli {

void AddConnectionFlags(CLI::App& app, ConnectionFlags* f, const std::string& password_env) {
  app.add_option("-a,--immudb-address", f->address, "server address")
      ->envname("IMMUCLIENT_IMMUDB_ADDRESS")
      ->capture_default_str();
  app.add_option("-p,--immudb-port", f->port, "server port")
      ->envname("IMMUCLIENT_IMMUDB_PORT")
      ->capture_default_str();
  app.add_option("--username", f->username, "user name")->capture_default_str();
  app.add_option("--password", f->password, "password (else the token of a previous login)")
      ->envname(password_env);
  app.add_option("--database", f->database, "database")->capture_default_str();
  app.add_option("--server-signing-pub-key", f->server_signing_pub_key,
                 "PEM public key of the server's signing key: verify every signed state");
  app.add_option("--dir", f->dir, "folder of the trusted states and the login token "
                                  "(default $HOME/.immudb-client)");
  app.add_flag("--tls", f->tls, "connect with TLS");
  app.add_option("--ca-cert", f->ca_cert, "PEM file of the CA that signed the server's certificate");
  app.add_flag("--mtls", f->mtls, "mutual TLS: connect with TLS and present --certificate");
  app.add_option("--servername", f->servername,
                 "name the server's certificate must carry (default: the server address)");
  app.add_option("--certificate", f->certificate, "client certificate (PEM) for --mtls");
  app.add_option("--pkey", f->pkey, "private key (PEM) of --certificate");
  app.add_option("--clientcas", f->clientcas,
                 "PEM file of the CA that signed the server's certificate (as --ca-cert)");
}

std::string ClientDir(const ConnectionFlags& f) {
  std::string dir = f.dir;
  if (dir.empty()) {
    const char* home = std::getenv("HOME");
    dir = std::string(home != nullptr ? home : ".") + "/.immudb-client";
  }
  ::mkdir(dir.c_str(), 0700);
  return dir;
}

Result<std::unique_ptr<client::ImmuClient>> MakeClient(const ConnectionFlags& f) {
  client::ClientOptions o;
  o.address = f.address;
  o.port = f.port;
  o.state_dir = ClientDir(f);
  o.server_signing_pub_key_file = f.server_signing_pub_key;
  o.use_tls = f.tls || f.mtls || !f.certificate.empty();
  if (!f.clientcas.empty() && !f.ca_cert.empty() && f.clientcas != f.ca_cert) {
    return InvalidArgument("--clientcas and --ca-cert name different files; give one");
  }
  o.ca_cert_file = !f.clientcas.empty() ? f.clientcas : f.ca_cert;
  if (f.mtls && (f.certificate.empty() || f.pkey.empty())) {
    return InvalidArgument("--mtls needs --certificate and --pkey");
  }
  o.client_cert_file = f.certificate;
  o.client_key_file = f.pkey;
  o.server_name = f.servername;
  return client::ImmuClient::Create(std::move(o));
}

Result<std::unique_ptr<client::ImmuClient>> Connect(const ConnectionFlags& f,
                                                   const std::string& program) {
  IMMUDB_ASSIGN_OR_RETURN(auto c, MakeClient(f));
  if (!f.password.empty()) {
    IMMUDB_RETURN_IF_ERROR(c->OpenSession(f.username, f.password, f.database));
    return c;
  }
  Result<StoredToken> t = LoadToken(f, program);
  if (!t.ok()) return Unauthenticated("please login first");
  c->SetToken(t->token, t->database);
  return c;
}

Result<std::string> ReadPassword(const std::string& prompt) {
  std::string line;
  if (::isatty(STDIN_FILENO)) {
    std::fprintf(stderr, "%s", prompt.c_str());
    std::fflush(stderr);
    termios old{};
    ::tcgetattr(STDIN_FILENO, &old);
    termios quiet = old;
    quiet.c_lflag &= ~tcflag_t(ECHO);
    ::tcsetattr(STDIN_FILENO, TCSANOW, &quiet);
    std::getline(std::cin, line);
    ::tcsetattr(STDIN_FILENO, TCSANOW, &old);
    std::fprintf(stderr, "\n");
  } else if (!std::getline(std::cin, line)) {
    return InvalidArgument("no password given on stdin");
  }
  if (!line.empty() && line.back() == '\r') line.pop_back();
  return line;
}

namespace {
std::string TokenPath(const ConnectionFlags& f, const std::string& program) {
  return ClientDir(f) + "/" + program + ".token";
}
}  // namespace

Status SaveToken(const ConnectionFlags& f, const std::string& program, const StoredToken& t) {
  std::string path = TokenPath(f, program);
  std::string tmp = path + ".tmp";
  {
    std::ofstream out(tmp, std::ios::trunc);
    if (!out) return IoError("cannot write " + tmp);
    out << t.database << "\n" << t.token << "\n";
    if (!out.flush()) return IoError("cannot write " + tmp);
  }
  ::chmod(tmp.c_str(), 0600);
  if (std::rename(tmp.c_str(), path.c_str()) != 0) return IoError("cannot write " + path);
  return Status::Ok();
}

Result<StoredToken> LoadToken(const ConnectionFlags& f, const std::string& program) {
  std::ifstream in(TokenPath(f, program));
  StoredToken t;
  if (!in || !std::getline(in, t.database) || !std::getline(in, t.token) || t.token.empty()) {
    return NotFound("no stored login");
  }
  return t;
}

Status RemoveToken(const ConnectionFlags& f, const std::string& program) {
  std::remove(TokenPath(f, program).c_str());
  return Status::Ok();
}

}  // namespace immudb::cli
