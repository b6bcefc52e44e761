#include "server/server_identity.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <fstream>

#include "crypto/random.h"

namespace immudb::server {

std::string XidText(const std::array<uint8_t, 12>& id) {
  static const char* kAlphabet = "0123456789abcdefghijklmnopqrstuv";
  std::string out;
  uint32_t acc = 0;
  int bits = 0;
  for (uint8_t b : id) {
    acc = (acc << 8) | b;
    bits += 8;
    while (bits >= 5) {
      bits -= 5;
      out.push_back(kAlphabet[(acc >> bits) & 31]);
    }
  }
  if (bits > 0) out.push_back(kAlphabet[(acc << (5 - bits)) & 31]);
  return out;  // 96 bits -> 20 characters
}

Result<std::string> LoadOrCreateServerId(const std::string& dir) {
  const std::string path = (std::filesystem::path(dir) / "immudb.identifier").string();
  std::array<uint8_t, 12> id{};
  std::error_code ec;
  if (std::filesystem::exists(path, ec)) {
    std::ifstream in(path, std::ios::binary);
    in.read(reinterpret_cast<char*>(id.data()), id.size());
    if (in.gcount() != static_cast<std::streamsize>(id.size())) {
      return Corruption(path + ": expected 12 bytes");
    }
    return XidText(id);
  }
  uint32_t now = static_cast<uint32_t>(std::time(nullptr));
  id[0] = uint8_t(now >> 24);
  id[1] = uint8_t(now >> 16);
  id[2] = uint8_t(now >> 8);
  id[3] = uint8_t(now);
  IMMUDB_ASSIGN_OR_RETURN(Bytes rnd, crypto::RandomBytes(8));
  std::memcpy(id.data() + 4, rnd.data(), 8);
  const std::string tmp = path + ".tmp";
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) return IoError("open " + tmp + ": " + std::strerror(errno));
  bool ok = ::write(fd, id.data(), id.size()) == static_cast<ssize_t>(id.size()) && ::fsync(fd) == 0;
  ::close(fd);
  if (!ok || ::rename(tmp.c_str(), path.c_str()) != 0) {
    return IoError("write " + path + ": " + std::strerror(errno));
  }
  int dfd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd >= 0) {
    ::fsync(dfd);
    ::close(dfd);
  }
  return XidText(id);
}

}  // namespace immudb::server
