// The list of measured cells (operation x clients x batch) of a benchmark run, given either
// as a cross product (--ops, --clients, --batch) or explicitly ("set:32:1,get:10:1").
#pragma once

#include <string>
#include <vector>

#include "base/status.h"

namespace immudb::bench {

struct Cell {
  std::string op;
  int clients = 1;
  int batch = 1;
};

// Splits "a,b,c" (empty items dropped).
std::vector<std::string> SplitList(const std::string& text);

// Parses "1,10,100" into positive integers.
Result<std::vector<int>> ParseIntList(const std::string& text);

// Explicit cells "op:clients:batch,..." (batch may be omitted: 1). Each op must be in known_ops.
Result<std::vector<Cell>> ParseCells(const std::string& text, const std::vector<std::string>& known_ops);

// ops x batches x clients, in that nesting order. Ops listed in single_batch_ops use batch 1
// only (e.g. verifiableset, get), and ops in limit_ops use `limit` instead of the batches.
Result<std::vector<Cell>> CrossCells(const std::string& ops, const std::string& clients,
                                     const std::string& batches,
                                     const std::vector<std::string>& known_ops,
                                     const std::vector<std::string>& single_batch_ops,
                                     const std::vector<std::string>& limit_ops, int limit);

}  // namespace immudb::bench
