#include "store/aht_nodes.h"

#include "store/log_format.h"

namespace immudb::store {

namespace aht = ledger::ahtree;

NodeCache::NodeCache() : slots_(new Slot[kSlots]) {}

bool NodeCache::Get(uint64_t pos, Digest* out) const {
  size_t slot = pos & (kSlots - 1);
  std::lock_guard<std::mutex> l(mu_[slot % kShards]);
  if (slots_[slot].tag != pos + 1) return false;
  *out = slots_[slot].digest;
  return true;
}

void NodeCache::Put(uint64_t pos, const Digest& d) {
  size_t slot = pos & (kSlots - 1);
  std::lock_guard<std::mutex> l(mu_[slot % kShards]);
  slots_[slot].tag = pos + 1;
  slots_[slot].digest = d;
}

void NodeCache::Clear() {
  for (size_t s = 0; s < kShards; ++s) {
    std::lock_guard<std::mutex> l(mu_[s]);
    for (size_t i = s; i < kSlots; i += kShards) slots_[i].tag = 0;
  }
}

Result<Digest> AhtNodes::ReadNode(uint64_t k, uint32_t h) const {
  Digest d;
  uint64_t pos = aht::NodePosition(k, h);
  if (cache_.Get(pos, &d)) return d;
  Status st = file_->Read(pos * format::kAhtNodeSize, d.size(), d.data());
  if (!st.ok()) {
    if (st.code() == Code::kOutOfRange) {
      return Corruption("ahtree node (" + std::to_string(k) + ", " + std::to_string(h) +
                        ") missing: " + st.message());
    }
    return st;
  }
  cache_.Put(pos, d);
  return d;
}

Result<Digest> AhtNodes::View::Node(uint64_t k, uint32_t h) const {
  if (k == 0 || k > size_ || (k & ((uint64_t(1) << h) - 1)) != 0) {
    return InvalidArgument("ahtree node (" + std::to_string(k) + ", " + std::to_string(h) +
                           ") outside a tree of " + std::to_string(size_) + " leaves");
  }
  return nodes_->ReadNode(k, h);
}

Result<Digest> AhtNodes::Staged::Node(uint64_t k, uint32_t h) const {
  if (k == 0 || k > n_->staged_size_ || h >= 64 || (k & ((uint64_t(1) << h) - 1)) != 0) {
    return InvalidArgument("ahtree node (" + std::to_string(k) + ", " + std::to_string(h) +
                           ") outside a tree of " + std::to_string(n_->staged_size_) + " leaves");
  }
  if (n_->frontier_[h].k == k) return n_->frontier_[h].digest;
  uint64_t pos = aht::NodePosition(k, h);
  uint64_t first_staged = aht::NodeCount(n_->flushed_size_);
  if (pos >= first_staged) return n_->staged_[pos - first_staged];
  return n_->ReadNode(k, h);
}

void AhtNodes::UpdateFrontier(uint64_t n, const std::vector<Digest>& nodes, Frontier* f) const {
  // After leaf n the right edge holds one complete subtree per set bit of n; the new
  // leaf's topmost node replaces the lower levels it absorbed.
  uint32_t top = static_cast<uint32_t>(nodes.size()) - 1;
  for (uint32_t h = 0; h < top; ++h) (*f)[h] = FrontierNode{};
  (*f)[top] = FrontierNode{n, nodes[top]};
}

Status AhtNodes::ResetTo(uint64_t size) {
  cache_.Clear();  // the file may have been cut or rewritten (recovery)
  staged_.clear();
  frontier_ = Frontier{};
  for (uint32_t h = 0; h < 64; ++h) {
    if ((size >> h) & 1) {
      uint64_t k = (size >> h) << h;
      IMMUDB_ASSIGN_OR_RETURN(Digest d, ReadNode(k, h));
      frontier_[h] = FrontierNode{k, d};
    }
  }
  flushed_size_ = staged_size_ = size;
  flushed_frontier_ = frontier_;
  return Status::Ok();
}

Status AhtNodes::Append(const Digest& alh) {
  Staged src(this);
  IMMUDB_ASSIGN_OR_RETURN(std::vector<Digest> nodes, aht::AppendNodes(src, alh));
  uint64_t n = staged_size_ + 1;
  if (nodes.size() != aht::NodesForLeaf(n)) {
    return Internal("ahtree append returned " + std::to_string(nodes.size()) + " nodes for leaf " +
                    std::to_string(n));
  }
  staged_.insert(staged_.end(), nodes.begin(), nodes.end());
  staged_size_ = n;
  UpdateFrontier(n, nodes, &frontier_);
  return Status::Ok();
}

Result<Digest> AhtNodes::Root() const {
  Staged src(this);
  return aht::Root(src, staged_size_);
}

Status AhtNodes::Flush() {
  if (!staged_.empty()) {
    uint64_t pos = aht::NodeCount(flushed_size_);
    ByteView bytes(reinterpret_cast<const uint8_t*>(staged_.data()),
                   staged_.size() * format::kAhtNodeSize);
    IMMUDB_RETURN_IF_ERROR(file_->Write(pos * format::kAhtNodeSize, bytes));
    for (size_t i = 0; i < staged_.size(); ++i) cache_.Put(pos + i, staged_[i]);
  }
  staged_.clear();
  flushed_size_ = staged_size_;
  flushed_frontier_ = frontier_;
  return Status::Ok();
}

Status AhtNodes::CompareStagedWithFile() {
  if (!staged_.empty()) {
    uint64_t first = aht::NodeCount(flushed_size_);
    std::vector<Digest> stored(staged_.size());
    Status st = file_->Read(first * format::kAhtNodeSize, stored.size() * format::kAhtNodeSize,
                            reinterpret_cast<uint8_t*>(stored.data()));
    if (st.code() == Code::kOutOfRange) {
      return Corruption("ahtree nodes from position " + std::to_string(first) +
                        " are missing: " + st.message());
    }
    IMMUDB_RETURN_IF_ERROR(st);
    for (size_t i = 0; i < staged_.size(); ++i) {
      if (stored[i] != staged_[i]) {
        uint64_t pos = first + i;
        return Corruption("ahtree node at position " + std::to_string(pos) + " (" +
                          file_->Describe(pos * format::kAhtNodeSize) +
                          ") differs from the node recomputed from the commit log's Alhs");
      }
    }
  }
  staged_.clear();
  flushed_size_ = staged_size_;
  flushed_frontier_ = frontier_;
  return Status::Ok();
}

void AhtNodes::Rollback() {
  staged_.clear();
  staged_size_ = flushed_size_;
  frontier_ = flushed_frontier_;
}

}  // namespace immudb::store
