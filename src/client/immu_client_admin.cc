// Database and user administration RPCs of ImmuClient.
#include "client/immu_client.h"

namespace immudb::client {

#define IMMU_RPC(method, req, resp) \
  Call([&](grpc::ClientContext* ctx) { return stub_->method(ctx, req, &resp); })

Result<schema::CreateDatabaseResponse> ImmuClient::CreateDatabase(
    const std::string& name, const schema::DatabaseNullableSettings& s, bool if_not_exists) {
  schema::CreateDatabaseRequest req;
  req.set_name(name);
  *req.mutable_settings() = s;
  req.set_ifnotexists(if_not_exists);
  schema::CreateDatabaseResponse resp;
  IMMUDB_RETURN_IF_ERROR(IMMU_RPC(CreateDatabaseV2, req, resp));
  return resp;
}

Result<schema::UpdateDatabaseResponse> ImmuClient::UpdateDatabase(
    const std::string& name, const schema::DatabaseNullableSettings& s) {
  schema::UpdateDatabaseRequest req;
  req.set_database(name);
  *req.mutable_settings() = s;
  schema::UpdateDatabaseResponse resp;
  IMMUDB_RETURN_IF_ERROR(IMMU_RPC(UpdateDatabaseV2, req, resp));
  return resp;
}

Result<schema::DatabaseSettingsResponse> ImmuClient::GetDatabaseSettings() {
  schema::DatabaseSettingsRequest req;
  schema::DatabaseSettingsResponse resp;
  IMMUDB_RETURN_IF_ERROR(IMMU_RPC(GetDatabaseSettingsV2, req, resp));
  return resp;
}

Result<schema::DatabaseListResponseV2> ImmuClient::DatabaseList() {
  schema::DatabaseListRequestV2 req;
  schema::DatabaseListResponseV2 resp;
  IMMUDB_RETURN_IF_ERROR(IMMU_RPC(DatabaseListV2, req, resp));
  return resp;
}

Status ImmuClient::LoadDatabase(const std::string& name) {
  schema::LoadDatabaseRequest req;
  req.set_database(name);
  schema::LoadDatabaseResponse resp;
  return IMMU_RPC(LoadDatabase, req, resp);
}

Status ImmuClient::UnloadDatabase(const std::string& name) {
  schema::UnloadDatabaseRequest req;
  req.set_database(name);
  schema::UnloadDatabaseResponse resp;
  return IMMU_RPC(UnloadDatabase, req, resp);
}

Status ImmuClient::DeleteDatabase(const std::string& name) {
  schema::DeleteDatabaseRequest req;
  req.set_database(name);
  schema::DeleteDatabaseResponse resp;
  return IMMU_RPC(DeleteDatabase, req, resp);
}

Status ImmuClient::FlushIndex(float cleanup_percentage, bool synced) {
  schema::FlushIndexRequest req;
  req.set_cleanuppercentage(cleanup_percentage);
  req.set_synced(synced);
  schema::FlushIndexResponse resp;
  return IMMU_RPC(FlushIndex, req, resp);
}

Status ImmuClient::CompactIndex() {
  google::protobuf::Empty req, resp;
  return IMMU_RPC(CompactIndex, req, resp);
}

Result<schema::UserList> ImmuClient::ListUsers() {
  google::protobuf::Empty req;
  schema::UserList resp;
  IMMUDB_RETURN_IF_ERROR(IMMU_RPC(ListUsers, req, resp));
  return resp;
}

Status ImmuClient::CreateUser(const std::string& user, const std::string& password,
                              uint32_t permission, const std::string& database) {
  schema::CreateUserRequest req;
  req.set_user(user);
  req.set_password(password);
  req.set_permission(permission);
  req.set_database(database);
  google::protobuf::Empty resp;
  return IMMU_RPC(CreateUser, req, resp);
}

Status ImmuClient::ChangePassword(const std::string& user, const std::string& old_password,
                                  const std::string& new_password) {
  schema::ChangePasswordRequest req;
  req.set_user(user);
  req.set_oldpassword(old_password);
  req.set_newpassword(new_password);
  google::protobuf::Empty resp;
  return IMMU_RPC(ChangePassword, req, resp);
}

Status ImmuClient::ChangePermission(schema::PermissionAction action, const std::string& user,
                                    const std::string& database, uint32_t permission) {
  schema::ChangePermissionRequest req;
  req.set_action(action);
  req.set_username(user);
  req.set_database(database);
  req.set_permission(permission);
  google::protobuf::Empty resp;
  return IMMU_RPC(ChangePermission, req, resp);
}

Status ImmuClient::SetActiveUser(const std::string& user, bool active) {
  schema::SetActiveUserRequest req;
  req.set_username(user);
  req.set_active(active);
  google::protobuf::Empty resp;
  return IMMU_RPC(SetActiveUser, req, resp);
}

}  // namespace immudb::client
