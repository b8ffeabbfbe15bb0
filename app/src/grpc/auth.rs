//! `cosmos.auth.v1beta1.Query`: accounts.

use cosmrs::proto::cosmos::auth::v1beta1::{query_server::Query, *};
use tonic::{Request, Response, Status};

use super::{status, unimplemented, GrpcContext};

pub struct AuthQuery(pub GrpcContext);

#[tonic::async_trait]
impl Query for AuthQuery {
    async fn account(
        &self,
        req: Request<QueryAccountRequest>,
    ) -> Result<Response<QueryAccountResponse>, Status> {
        let snapshot = self.0.storage.latest_snapshot();
        kaizen_auth::query::account(&snapshot, req.get_ref())
            .await
            .map(Response::new)
            .map_err(status)
    }

    async fn bech32_prefix(
        &self,
        _req: Request<Bech32PrefixRequest>,
    ) -> Result<Response<Bech32PrefixResponse>, Status> {
        Ok(Response::new(Bech32PrefixResponse {
            bech32_prefix: kaizen_framework::ADDRESS_PREFIX.into(),
        }))
    }

    async fn accounts(
        &self,
        _req: Request<QueryAccountsRequest>,
    ) -> Result<Response<QueryAccountsResponse>, Status> {
        Err(unimplemented("Accounts"))
    }
    async fn account_address_by_id(
        &self,
        _req: Request<QueryAccountAddressByIdRequest>,
    ) -> Result<Response<QueryAccountAddressByIdResponse>, Status> {
        Err(unimplemented("AccountAddressByID"))
    }
    async fn params(
        &self,
        _req: Request<QueryParamsRequest>,
    ) -> Result<Response<QueryParamsResponse>, Status> {
        Err(unimplemented("auth Params"))
    }
    async fn module_accounts(
        &self,
        _req: Request<QueryModuleAccountsRequest>,
    ) -> Result<Response<QueryModuleAccountsResponse>, Status> {
        Err(unimplemented("ModuleAccounts"))
    }
    async fn module_account_by_name(
        &self,
        _req: Request<QueryModuleAccountByNameRequest>,
    ) -> Result<Response<QueryModuleAccountByNameResponse>, Status> {
        Err(unimplemented("ModuleAccountByName"))
    }
    async fn address_bytes_to_string(
        &self,
        _req: Request<AddressBytesToStringRequest>,
    ) -> Result<Response<AddressBytesToStringResponse>, Status> {
        Err(unimplemented("AddressBytesToString"))
    }
    async fn address_string_to_bytes(
        &self,
        _req: Request<AddressStringToBytesRequest>,
    ) -> Result<Response<AddressStringToBytesResponse>, Status> {
        Err(unimplemented("AddressStringToBytes"))
    }
    async fn account_info(
        &self,
        _req: Request<QueryAccountInfoRequest>,
    ) -> Result<Response<QueryAccountInfoResponse>, Status> {
        Err(unimplemented("AccountInfo"))
    }
}
