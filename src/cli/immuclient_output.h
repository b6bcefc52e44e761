// How immuclient prints results: immudb's immuclient text layout ("tx:", "key:", "value:",
// "verified: true", ...) or, with --output json, one JSON object per result.
#pragma once

#include <ostream>
#include <string>

#include "schema.pb.h"

namespace immudb::cli {

struct OutputStyle {
  bool json = false;
  bool value_only = false;
};

// Bytes as text: printable ASCII kept, anything else escaped as \xNN.
std::string Printable(const std::string& bytes);

void PrintEntry(std::ostream& out, const OutputStyle& s, const schema::Entry& e, bool verified);
void PrintSetResult(std::ostream& out, const OutputStyle& s, const schema::TxHeader& h,
                    const std::string& key, const std::string& value, bool verified);
void PrintReferenceResult(std::ostream& out, const OutputStyle& s, const schema::TxHeader& h,
                          const std::string& key, const std::string& referenced_key,
                          bool verified);
void PrintZAddResult(std::ostream& out, const OutputStyle& s, const schema::TxHeader& h,
                     const std::string& set, double score, const std::string& key, bool verified);
void PrintTxHeader(std::ostream& out, const OutputStyle& s, const schema::TxHeader& h);
void PrintTx(std::ostream& out, const OutputStyle& s, const schema::Tx& tx, bool verified);
void PrintZEntry(std::ostream& out, const OutputStyle& s, const schema::ZEntry& e);
void PrintState(std::ostream& out, const OutputStyle& s, const schema::ImmutableState& st,
                bool verified);
// A "label: value" line (or {"label": value} in JSON).
void PrintField(std::ostream& out, const OutputStyle& s, const std::string& label,
                const std::string& value);

}  // namespace immudb::cli
