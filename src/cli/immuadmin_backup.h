// immuadmin hot-backup / hot-restore (docs/cli.md): copy a database's transactions to a backup
// file through exportTx while the server runs, and re-commit them with their original headers
// through replicateTx, verifying every transaction (entries -> Eh, header -> Alh, Alh chain)
// before it is written or committed.
#pragma once

#include <functional>

#include "cli/program.h"
#include "client/immu_client.h"

namespace immudb::cli {

// Registers hot-backup and hot-restore. `client` returns the authenticated client (connecting
// on first use, as immuadmin's other commands do).
void AddHotBackupCommands(Program& program,
                          std::function<Result<client::ImmuClient*>()> client);

}  // namespace immudb::cli
