#include "cli/immuclient_output.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstdio>
#include <ctime>
#include <iomanip>
#include <sstream>

#include "base/bytes.h"
#include "client/proto_convert.h"
#include "ledger/tx.h"

namespace immudb::cli {
namespace {

using nlohmann::json;

void Line(std::ostream& out, const std::string& label, const std::string& value) {
  std::string l = label + ":";
  l.resize(std::max<size_t>(l.size() + 1, 10), ' ');
  out << l << value << "\n";
}

std::string Hex(const std::string& b) { return HexEncode(AsBytes(b)); }

std::string Time(int64_t unix_seconds) {
  std::time_t t = std::time_t(unix_seconds);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[64];
  std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S UTC", &tm);
  return buf;
}

std::string Score(double score) {
  std::ostringstream ss;
  ss << std::setprecision(17) << score;
  return ss.str();
}

void Metadata(json& j, const schema::KVMetadata& md) {
  if (md.deleted()) j["deleted"] = true;
  if (md.has_expiration()) j["expiresAt"] = md.expiration().expiresat();
  if (md.nonindexable()) j["nonIndexable"] = true;
}

void MetadataText(std::ostream& out, const schema::KVMetadata& md) {
  if (md.deleted()) Line(out, "deleted", "true");
  if (md.has_expiration()) Line(out, "expires", Time(md.expiration().expiresat()));
  if (md.nonindexable()) Line(out, "indexed", "false");
}

// The user part of a store key (KV keys lose their 0x00 prefix).
std::string UserKey(const std::string& store_key) {
  if (!store_key.empty() && store_key[0] == 0x00) return store_key.substr(1);
  return store_key;
}

std::string TxAlh(const schema::TxHeader& h) {
  Result<crypto::Digest> alh = client::TxHeaderFromProto(h).Alh();
  return alh.ok() ? HexEncode(crypto::View(*alh)) : "";
}

}  // namespace

std::string Printable(const std::string& bytes) {
  std::string out;
  for (unsigned char c : bytes) {
    if (c >= 0x20 && c < 0x7f) {
      out.push_back(char(c));
    } else {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\x%02x", c);
      out += buf;
    }
  }
  return out;
}

void PrintField(std::ostream& out, const OutputStyle& s, const std::string& label,
                const std::string& value) {
  if (s.json) {
    out << json{{label, value}}.dump() << "\n";
  } else {
    Line(out, label, value);
  }
}

void PrintEntry(std::ostream& out, const OutputStyle& s, const schema::Entry& e, bool verified) {
  if (s.value_only) {
    out << e.value() << "\n";
    return;
  }
  if (s.json) {
    json j{{"tx", e.tx()}, {"revision", e.revision()}, {"key", Printable(e.key())},
           {"value", Printable(e.value())}};
    if (e.has_metadata()) Metadata(j, e.metadata());
    if (e.has_referencedby()) {
      j["referencedBy"] = {{"tx", e.referencedby().tx()},
                           {"key", Printable(e.referencedby().key())},
                           {"atTx", e.referencedby().attx()}};
    }
    if (e.expired()) j["expired"] = true;
    if (verified) j["verified"] = true;
    out << j.dump() << "\n";
    return;
  }
  Line(out, "tx", std::to_string(e.tx()));
  Line(out, "rev", std::to_string(e.revision()));
  Line(out, "key", Printable(e.key()));
  if (e.has_metadata()) MetadataText(out, e.metadata());
  if (e.expired()) Line(out, "expired", "true");
  Line(out, "value", Printable(e.value()));
  if (e.has_referencedby()) {
    Line(out, "ref", Printable(e.referencedby().key()) + " (tx " +
                         std::to_string(e.referencedby().tx()) + ")");
  }
  if (verified) Line(out, "verified", "true");
}

void PrintSetResult(std::ostream& out, const OutputStyle& s, const schema::TxHeader& h,
                    const std::string& key, const std::string& value, bool verified) {
  if (s.value_only) {
    out << value << "\n";
    return;
  }
  if (s.json) {
    json j{{"tx", h.id()}, {"key", Printable(key)}, {"value", Printable(value)}};
    if (verified) j["verified"] = true;
    out << j.dump() << "\n";
    return;
  }
  Line(out, "tx", std::to_string(h.id()));
  Line(out, "key", Printable(key));
  Line(out, "value", Printable(value));
  if (verified) Line(out, "verified", "true");
}

void PrintReferenceResult(std::ostream& out, const OutputStyle& s, const schema::TxHeader& h,
                          const std::string& key, const std::string& referenced_key,
                          bool verified) {
  if (s.json) {
    json j{{"tx", h.id()}, {"key", Printable(key)}, {"referencedKey", Printable(referenced_key)}};
    if (verified) j["verified"] = true;
    out << j.dump() << "\n";
    return;
  }
  Line(out, "tx", std::to_string(h.id()));
  Line(out, "key", Printable(key));
  Line(out, "ref", Printable(referenced_key));
  if (verified) Line(out, "verified", "true");
}

void PrintZAddResult(std::ostream& out, const OutputStyle& s, const schema::TxHeader& h,
                     const std::string& set, double score, const std::string& key,
                     bool verified) {
  if (s.json) {
    json j{{"tx", h.id()}, {"set", Printable(set)}, {"score", score}, {"key", Printable(key)}};
    if (verified) j["verified"] = true;
    out << j.dump() << "\n";
    return;
  }
  Line(out, "tx", std::to_string(h.id()));
  Line(out, "set", Printable(set));
  Line(out, "score", Score(score));
  Line(out, "key", Printable(key));
  if (verified) Line(out, "verified", "true");
}

void PrintTxHeader(std::ostream& out, const OutputStyle& s, const schema::TxHeader& h) {
  if (s.json) {
    out << json{{"tx", h.id()}, {"entries", h.nentries()}, {"ts", h.ts()}}.dump() << "\n";
    return;
  }
  Line(out, "tx", std::to_string(h.id()));
  Line(out, "entries", std::to_string(h.nentries()));
}

void PrintTx(std::ostream& out, const OutputStyle& s, const schema::Tx& tx, bool verified) {
  const schema::TxHeader& h = tx.header();
  if (s.json) {
    json keys = json::array();
    for (const auto& e : tx.entries()) keys.push_back(Printable(UserKey(e.key())));
    json j{{"tx", h.id()},       {"time", Time(h.ts())}, {"entries", h.nentries()},
           {"hash", TxAlh(h)},   {"eh", Hex(h.eh())},    {"blTxId", h.bltxid()},
           {"version", h.version()}, {"keys", keys}};
    if (verified) j["verified"] = true;
    out << j.dump() << "\n";
    return;
  }
  Line(out, "tx", std::to_string(h.id()));
  Line(out, "time", Time(h.ts()));
  Line(out, "entries", std::to_string(h.nentries()));
  Line(out, "hash", TxAlh(h));
  for (const auto& e : tx.entries()) Line(out, "key", Printable(UserKey(e.key())));
  if (verified) Line(out, "verified", "true");
}

void PrintZEntry(std::ostream& out, const OutputStyle& s, const schema::ZEntry& e) {
  if (s.json) {
    out << json{{"set", Printable(e.set())},
                {"key", Printable(e.key())},
                {"score", e.score()},
                {"atTx", e.attx()},
                {"tx", e.entry().tx()},
                {"value", Printable(e.entry().value())}}
               .dump()
        << "\n";
    return;
  }
  Line(out, "set", Printable(e.set()));
  Line(out, "score", Score(e.score()));
  Line(out, "tx", std::to_string(e.entry().tx()));
  Line(out, "key", Printable(e.key()));
  Line(out, "value", Printable(e.entry().value()));
}

void PrintState(std::ostream& out, const OutputStyle& s, const schema::ImmutableState& st,
                bool verified) {
  if (s.json) {
    json j{{"database", st.db()}, {"txID", st.txid()}, {"hash", Hex(st.txhash())}};
    if (st.has_signature()) j["signed"] = true;
    if (verified) j["verified"] = true;
    out << j.dump() << "\n";
    return;
  }
  Line(out, "database", st.db());
  Line(out, "txID", std::to_string(st.txid()));
  Line(out, "hash", Hex(st.txhash()));
  if (verified) Line(out, "verified", "true");
}

}  // namespace immudb::cli
