//! Queries of `bank`: the Cosmos SDK's `cosmos.bank.v1beta1.Query` balance methods, and
//! Kaizen's own `kaizen.bank.v1.Query`.

use cnidarium::StateRead;
use cosmrs::proto::cosmos::{
    bank::v1beta1::{
        QueryAllBalancesRequest, QueryAllBalancesResponse, QueryBalanceRequest,
        QueryBalanceResponse,
    },
    base::v1beta1::Coin,
};
use kaizen_framework::{coin::validate_denom, Address, GasMeter, HandlerError};
use kaizen_proto::kaizen::bank::v1::{QuerySupplyRequest, QuerySupplyResponse};

use crate::view::BankRead;

/// Most balances one `AllBalances` answer lists.
pub const MAX_BALANCES_PER_QUERY: usize = 1000;

pub async fn balance<S: StateRead>(
    state: &S,
    req: &QueryBalanceRequest,
) -> Result<QueryBalanceResponse, HandlerError> {
    let address: Address = req.address.parse()?;
    validate_denom(&req.denom)?;
    let amount = state
        .balance(&GasMeter::unlimited(), &address, &req.denom)
        .await?;
    Ok(QueryBalanceResponse {
        balance: Some(Coin {
            denom: req.denom.clone(),
            amount: amount.to_string(),
        }),
    })
}

pub async fn all_balances<S: StateRead>(
    state: &S,
    req: &QueryAllBalancesRequest,
) -> Result<QueryAllBalancesResponse, HandlerError> {
    let address: Address = req.address.parse()?;
    let balances = state
        .all_balances(&address)
        .await?
        .into_iter()
        .take(MAX_BALANCES_PER_QUERY)
        .map(|(denom, amount)| Coin {
            denom,
            amount: amount.to_string(),
        })
        .collect();
    Ok(QueryAllBalancesResponse {
        balances,
        pagination: None,
    })
}

pub async fn supply<S: StateRead>(
    state: &S,
    req: &QuerySupplyRequest,
) -> Result<QuerySupplyResponse, HandlerError> {
    validate_denom(&req.denom)?;
    let amount = state.supply(&GasMeter::unlimited(), &req.denom).await?;
    Ok(QuerySupplyResponse {
        amount: Some(kaizen_proto::kaizen::bank::v1::Coin {
            denom: req.denom.clone(),
            amount: amount.to_string(),
        }),
    })
}
