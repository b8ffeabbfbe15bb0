//! `cosmos.bank.v1beta1.Query`: balances (`kaizen.bank.v1.Query` is in `crate::query`).

use cosmrs::proto::cosmos::bank::v1beta1::{query_server::Query, *};
use tonic::{Request, Response, Status};

use super::{status, unimplemented, GrpcContext};

pub struct BankQuery(pub GrpcContext);

#[tonic::async_trait]
impl Query for BankQuery {
    async fn balance(
        &self,
        req: Request<QueryBalanceRequest>,
    ) -> Result<Response<QueryBalanceResponse>, Status> {
        let snapshot = self.0.storage.latest_snapshot();
        kaizen_bank::query::balance(&snapshot, req.get_ref())
            .await
            .map(Response::new)
            .map_err(status)
    }

    async fn all_balances(
        &self,
        req: Request<QueryAllBalancesRequest>,
    ) -> Result<Response<QueryAllBalancesResponse>, Status> {
        let snapshot = self.0.storage.latest_snapshot();
        kaizen_bank::query::all_balances(&snapshot, req.get_ref())
            .await
            .map(Response::new)
            .map_err(status)
    }

    async fn spendable_balances(
        &self,
        req: Request<QuerySpendableBalancesRequest>,
    ) -> Result<Response<QuerySpendableBalancesResponse>, Status> {
        // Kaizen has no vesting or locks on bank balances: everything held is spendable.
        let snapshot = self.0.storage.latest_snapshot();
        let all = kaizen_bank::query::all_balances(
            &snapshot,
            &QueryAllBalancesRequest {
                address: req.get_ref().address.clone(),
                pagination: None,
                resolve_denom: false,
            },
        )
        .await
        .map_err(status)?;
        Ok(Response::new(QuerySpendableBalancesResponse {
            balances: all.balances,
            pagination: None,
        }))
    }

    async fn spendable_balance_by_denom(
        &self,
        req: Request<QuerySpendableBalanceByDenomRequest>,
    ) -> Result<Response<QuerySpendableBalanceByDenomResponse>, Status> {
        let snapshot = self.0.storage.latest_snapshot();
        let r = req.into_inner();
        let b = kaizen_bank::query::balance(
            &snapshot,
            &QueryBalanceRequest {
                address: r.address,
                denom: r.denom,
            },
        )
        .await
        .map_err(status)?;
        Ok(Response::new(QuerySpendableBalanceByDenomResponse {
            balance: b.balance,
        }))
    }

    async fn supply_of(
        &self,
        req: Request<QuerySupplyOfRequest>,
    ) -> Result<Response<QuerySupplyOfResponse>, Status> {
        let snapshot = self.0.storage.latest_snapshot();
        let s = kaizen_bank::query::supply(
            &snapshot,
            &kaizen_proto::kaizen::bank::v1::QuerySupplyRequest {
                denom: req.into_inner().denom,
            },
        )
        .await
        .map_err(status)?;
        Ok(Response::new(QuerySupplyOfResponse {
            amount: s
                .amount
                .map(|c| cosmrs::proto::cosmos::base::v1beta1::Coin {
                    denom: c.denom,
                    amount: c.amount,
                }),
        }))
    }

    async fn total_supply(
        &self,
        _req: Request<QueryTotalSupplyRequest>,
    ) -> Result<Response<QueryTotalSupplyResponse>, Status> {
        Err(unimplemented("TotalSupply (use SupplyOf)"))
    }
    async fn params(
        &self,
        _req: Request<QueryParamsRequest>,
    ) -> Result<Response<QueryParamsResponse>, Status> {
        Err(unimplemented("bank Params"))
    }
    async fn denom_metadata(
        &self,
        _req: Request<QueryDenomMetadataRequest>,
    ) -> Result<Response<QueryDenomMetadataResponse>, Status> {
        Err(unimplemented("DenomMetadata"))
    }
    async fn denom_metadata_by_query_string(
        &self,
        _req: Request<QueryDenomMetadataByQueryStringRequest>,
    ) -> Result<Response<QueryDenomMetadataByQueryStringResponse>, Status> {
        Err(unimplemented("DenomMetadataByQueryString"))
    }
    async fn denoms_metadata(
        &self,
        _req: Request<QueryDenomsMetadataRequest>,
    ) -> Result<Response<QueryDenomsMetadataResponse>, Status> {
        Err(unimplemented("DenomsMetadata"))
    }
    async fn denom_owners(
        &self,
        _req: Request<QueryDenomOwnersRequest>,
    ) -> Result<Response<QueryDenomOwnersResponse>, Status> {
        Err(unimplemented("DenomOwners"))
    }
    async fn denom_owners_by_query(
        &self,
        _req: Request<QueryDenomOwnersByQueryRequest>,
    ) -> Result<Response<QueryDenomOwnersByQueryResponse>, Status> {
        Err(unimplemented("DenomOwnersByQuery"))
    }
    async fn send_enabled(
        &self,
        _req: Request<QuerySendEnabledRequest>,
    ) -> Result<Response<QuerySendEnabledResponse>, Status> {
        Err(unimplemented("SendEnabled"))
    }
}
