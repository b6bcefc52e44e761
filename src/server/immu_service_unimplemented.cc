// RPCs whose features do not exist yet: each answers UNIMPLEMENTED naming the feature, so a
// client sees what is missing instead of a bare "unimplemented".
#include "server/immu_service.h"
#include "server/status_map.h"

namespace immudb::server {

#define IMMUDB_UNIMPLEMENTED(Rpc, feature, ...) \
  grpc::Status ImmuServiceImpl::Rpc(__VA_ARGS__) { return ToGrpcStatus(NotYet(feature)); }

IMMUDB_UNIMPLEMENTED(NewTx, "NewTx (interactive SQL transactions)", Ctx*, const schema::NewTxRequest*,
                     schema::NewTxResponse*)
IMMUDB_UNIMPLEMENTED(Commit, "Commit (interactive SQL transactions)", Ctx*, const Empty*,
                     schema::CommittedSQLTx*)
IMMUDB_UNIMPLEMENTED(Rollback, "Rollback (interactive SQL transactions)", Ctx*, const Empty*, Empty*)
IMMUDB_UNIMPLEMENTED(TxSQLExec, "TxSQLExec (interactive SQL transactions)", Ctx*,
                     const schema::SQLExecRequest*, Empty*)
IMMUDB_UNIMPLEMENTED(TxSQLQuery, "TxSQLQuery (interactive SQL transactions)", Ctx*,
                     const schema::SQLQueryRequest*, grpc::ServerWriter<schema::SQLQueryResult>*)
IMMUDB_UNIMPLEMENTED(CreateDatabaseWith, "CreateDatabaseWith (database creation)", Ctx*,
                     const schema::DatabaseSettings*, Empty*)
IMMUDB_UNIMPLEMENTED(UpdateDatabase, "UpdateDatabase (database settings)", Ctx*,
                     const schema::DatabaseSettings*, Empty*)
IMMUDB_UNIMPLEMENTED(GetDatabaseSettings, "GetDatabaseSettings (database settings)", Ctx*,
                     const Empty*, schema::DatabaseSettings*)
IMMUDB_UNIMPLEMENTED(SQLExec, "SQLExec (SQL)", Ctx*, const schema::SQLExecRequest*,
                     schema::SQLExecResult*)
IMMUDB_UNIMPLEMENTED(UnarySQLQuery, "UnarySQLQuery (SQL)", Ctx*, const schema::SQLQueryRequest*,
                     schema::SQLQueryResult*)
IMMUDB_UNIMPLEMENTED(SQLQuery, "SQLQuery (SQL)", Ctx*, const schema::SQLQueryRequest*,
                     grpc::ServerWriter<schema::SQLQueryResult>*)
IMMUDB_UNIMPLEMENTED(ListTables, "ListTables (SQL)", Ctx*, const Empty*, schema::SQLQueryResult*)
IMMUDB_UNIMPLEMENTED(DescribeTable, "DescribeTable (SQL)", Ctx*, const schema::Table*,
                     schema::SQLQueryResult*)
IMMUDB_UNIMPLEMENTED(VerifiableSQLGet, "VerifiableSQLGet (SQL)", Ctx*,
                     const schema::VerifiableSQLGetRequest*, schema::VerifiableSQLEntry*)
IMMUDB_UNIMPLEMENTED(TruncateDatabase, "TruncateDatabase (truncation)", Ctx*,
                     const schema::TruncateDatabaseRequest*, schema::TruncateDatabaseResponse*)

#undef IMMUDB_UNIMPLEMENTED

}  // namespace immudb::server
