// What immuclient and immuadmin share to reach a server: the connection flags, password
// prompts, the token file that keeps a `login` across one-shot invocations, and Connect(),
// which authenticates by the first available means:
//   1. a password (--password, or the program's *_PASSWORD environment variable): a session
//      for this invocation, closed at exit;
//   2. the token stored by `<program> login` in <dir>/<program>.token (legacy token auth);
//   3. otherwise it fails with "please login first".
#pragma once

#include <CLI/CLI.hpp>

#include <memory>
#include <string>

#include "base/status.h"
#include "client/immu_client.h"

namespace immudb::cli {

struct ConnectionFlags {
  std::string address = "127.0.0.1";
  int port = 3322;
  std::string username = "immudb";
  std::string password;  // empty = not given
  std::string database = "defaultdb";
  std::string server_signing_pub_key;
  std::string dir;  // state + token folder; default $HOME/.immudb-client
  bool tls = false;
  std::string ca_cert;
  // immudb's mutual TLS flags: --mtls (TLS with a client certificate), --servername (name the
  // server's certificate must carry; default: the address), --certificate and --pkey (client
  // certificate and key), --clientcas (CA that signed the server's certificate; as --ca-cert).
  bool mtls = false;
  std::string servername;
  std::string certificate;
  std::string pkey;
  std::string clientcas;
};

// Adds --immudb-address, --immudb-port, --username, --password (env password_env),
// --database, --server-signing-pub-key, --dir, --tls, --ca-cert, --mtls, --servername,
// --certificate, --pkey, --clientcas to app.
void AddConnectionFlags(CLI::App& app, ConnectionFlags* flags, const std::string& password_env);

// The state/token folder (created if missing).
std::string ClientDir(const ConnectionFlags& flags);

// The client, not yet authenticated.
Result<std::unique_ptr<client::ImmuClient>> MakeClient(const ConnectionFlags& flags);
// The client, authenticated as described above.
Result<std::unique_ptr<client::ImmuClient>> Connect(const ConnectionFlags& flags,
                                                   const std::string& program);

// Reads a password: without echo from a terminal, else one line from stdin.
Result<std::string> ReadPassword(const std::string& prompt);

// The token file of program: "<database>\n<token>\n".
struct StoredToken {
  std::string database;
  std::string token;
};
Status SaveToken(const ConnectionFlags& flags, const std::string& program, const StoredToken& t);
Result<StoredToken> LoadToken(const ConnectionFlags& flags, const std::string& program);
Status RemoveToken(const ConnectionFlags& flags, const std::string& program);

}  // namespace immudb::cli
