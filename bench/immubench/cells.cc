#include "cells.h"

#include <algorithm>
#include <cstdlib>

namespace immudb::bench {
namespace {

bool Contains(const std::vector<std::string>& v, const std::string& s) {
  return std::find(v.begin(), v.end(), s) != v.end();
}

Result<int> ParsePositive(const std::string& s) {
  char* end = nullptr;
  long v = std::strtol(s.c_str(), &end, 10);
  if (s.empty() || *end != '\0' || v < 1 || v > 1000000) {
    return InvalidArgument("not a positive number: '" + s + "'");
  }
  return static_cast<int>(v);
}

std::string Known(const std::vector<std::string>& ops) {
  std::string s;
  for (const auto& o : ops) s += (s.empty() ? "" : ", ") + o;
  return s;
}

}  // namespace

std::vector<std::string> SplitList(const std::string& text) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= text.size()) {
    size_t comma = text.find(',', start);
    if (comma == std::string::npos) comma = text.size();
    std::string item = text.substr(start, comma - start);
    item.erase(0, item.find_first_not_of(" \t"));
    item.erase(item.find_last_not_of(" \t") + 1);
    if (!item.empty()) out.push_back(item);
    start = comma + 1;
  }
  return out;
}

Result<std::vector<int>> ParseIntList(const std::string& text) {
  std::vector<int> out;
  for (const std::string& item : SplitList(text)) {
    IMMUDB_ASSIGN_OR_RETURN(int v, ParsePositive(item));
    out.push_back(v);
  }
  if (out.empty()) return InvalidArgument("empty list: '" + text + "'");
  return out;
}

Result<std::vector<Cell>> ParseCells(const std::string& text,
                                     const std::vector<std::string>& known_ops) {
  std::vector<Cell> cells;
  for (const std::string& item : SplitList(text)) {
    Cell c;
    size_t a = item.find(':');
    if (a == std::string::npos) return InvalidArgument("cell '" + item + "' is not op:clients[:batch]");
    c.op = item.substr(0, a);
    size_t b = item.find(':', a + 1);
    IMMUDB_ASSIGN_OR_RETURN(c.clients, ParsePositive(item.substr(a + 1, b == std::string::npos
                                                                            ? std::string::npos
                                                                            : b - a - 1)));
    if (b != std::string::npos) {
      IMMUDB_ASSIGN_OR_RETURN(c.batch, ParsePositive(item.substr(b + 1)));
    }
    if (!Contains(known_ops, c.op)) {
      return InvalidArgument("unknown operation '" + c.op + "' (known: " + Known(known_ops) + ")");
    }
    cells.push_back(c);
  }
  if (cells.empty()) return InvalidArgument("no cell given");
  return cells;
}

Result<std::vector<Cell>> CrossCells(const std::string& ops, const std::string& clients,
                                     const std::string& batches,
                                     const std::vector<std::string>& known_ops,
                                     const std::vector<std::string>& single_batch_ops,
                                     const std::vector<std::string>& limit_ops, int limit) {
  IMMUDB_ASSIGN_OR_RETURN(std::vector<int> cs, ParseIntList(clients));
  IMMUDB_ASSIGN_OR_RETURN(std::vector<int> bs, ParseIntList(batches));
  std::vector<Cell> cells;
  for (const std::string& op : SplitList(ops)) {
    if (!Contains(known_ops, op)) {
      return InvalidArgument("unknown operation '" + op + "' (known: " + Known(known_ops) + ")");
    }
    std::vector<int> op_batches = bs;
    if (Contains(single_batch_ops, op)) op_batches = {1};
    if (Contains(limit_ops, op)) op_batches = {limit};
    for (int b : op_batches)
      for (int c : cs) cells.push_back({op, c, b});
  }
  if (cells.empty()) return InvalidArgument("no operation given");
  return cells;
}

}  // namespace immudb::bench
