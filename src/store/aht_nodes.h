// AhtNodes: the ahtree's flat node array (ledger/ahtree.h layout, node(n, h) at position
// NodePosition(n, h)) stored as 32-byte digests in a SegmentedFile, plus the committer's
// staging area.
//
// Readers get a NodeSource of a fixed committed size (View) that reads the file. The
// committer appends leaves into memory (Append), which keeps the tree's right edge (the
// "frontier": one complete subtree per set bit of the size) so that BlRoot and new nodes
// cost no file reads, then writes the staged nodes out (Flush) or drops them (Rollback).
//
// Written nodes never change, so reads go through a small direct-mapped cache (NodeCache)
// that Flush also fills: a dual proof reads 60-80 nodes, mostly the newest ones and the
// roots of old subtrees, and a 32-byte pread each was about a third of the server's CPU for
// VerifiableSet.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <vector>

#include "ledger/ahtree.h"
#include "store/segmented_file.h"

namespace immudb::store {

using crypto::Digest;

// Position -> digest of written ahtree nodes, direct-mapped (a newer node evicts the one in
// its slot), safe for concurrent readers. About 2.6 MB per store.
class NodeCache {
 public:
  NodeCache();
  bool Get(uint64_t pos, Digest* out) const;
  void Put(uint64_t pos, const Digest& d);
  void Clear();

 private:
  static constexpr size_t kSlots = size_t(1) << 16;
  static constexpr size_t kShards = 64;
  struct Slot {
    uint64_t tag = 0;  // pos + 1; 0 = empty
    Digest digest{};
  };
  std::unique_ptr<Slot[]> slots_;
  mutable std::array<std::mutex, kShards> mu_;
};

class AhtNodes {
 public:
  // file is the aht stream; not owned.
  explicit AhtNodes(SegmentedFile* file) : file_(file) {}

  // Reads node(k, h) from the file, which must hold it.
  Result<Digest> ReadNode(uint64_t k, uint32_t h) const;

  // A read-only NodeSource of `size` leaves over the file. Cheap to make; the nodes of the
  // first `size` leaves must already be written.
  class View final : public ledger::ahtree::NodeSource {
   public:
    View(const AhtNodes* nodes, uint64_t size) : nodes_(nodes), size_(size) {}
    uint64_t Size() const override { return size_; }
    Result<Digest> Node(uint64_t k, uint32_t h) const override;

   private:
    const AhtNodes* nodes_;
    uint64_t size_;
  };
  View ViewAt(uint64_t size) const { return View(this, size); }

  // ---- committer side (one thread) ----

  // Starts staging at `size` leaves whose nodes are all in the file: loads the frontier
  // (O(log size) reads).
  Status ResetTo(uint64_t size);
  // Appends a leaf with data alh to the staged tree; returns nothing but may fail on reads.
  Status Append(const Digest& alh);
  // root(staged_size()); InvalidArgument when empty.
  Result<Digest> Root() const;
  uint64_t staged_size() const { return staged_size_; }
  uint64_t flushed_size() const { return flushed_size_; }
  // Writes every staged node to the file (no sync); the staged size becomes the flushed size.
  Status Flush();
  // Forgets the nodes staged since the last Flush (or ResetTo).
  void Rollback();
  // For Verify(): compares every staged node with the node stored at its position, then
  // treats them as flushed without writing. Corruption naming the node and file offset on
  // the first difference.
  Status CompareStagedWithFile();

 private:
  // The committer's NodeSource: staged nodes, frontier, then the file.
  class Staged final : public ledger::ahtree::NodeSource {
   public:
    explicit Staged(const AhtNodes* n) : n_(n) {}
    uint64_t Size() const override { return n_->staged_size_; }
    Result<Digest> Node(uint64_t k, uint32_t h) const override;

   private:
    const AhtNodes* n_;
  };
  struct FrontierNode {
    uint64_t k = 0;  // 0 = empty slot
    Digest digest{};
  };
  using Frontier = std::array<FrontierNode, 64>;
  void UpdateFrontier(uint64_t n, const std::vector<Digest>& nodes, Frontier* f) const;

  SegmentedFile* file_;
  mutable NodeCache cache_;
  uint64_t flushed_size_ = 0;
  uint64_t staged_size_ = 0;
  std::vector<Digest> staged_;  // nodes at positions NodeCount(flushed_size_)...
  Frontier frontier_{};         // frontier of staged_size_
  Frontier flushed_frontier_{}; // frontier of flushed_size_, for Rollback
};

}  // namespace immudb::store
