//! Queries of `auth`, answered with the Cosmos SDK's own types so that existing clients
//! decode them unchanged.

use cnidarium::StateRead;
use cosmrs::proto::cosmos::auth::v1beta1::{QueryAccountRequest, QueryAccountResponse};
use kaizen_framework::{Address, GasMeter, HandlerError, TxError};
use prost::Name;

use crate::view::AccountRead;

/// `cosmos.auth.v1beta1.Query/Account`: the account as an `Any` holding a `BaseAccount`.
pub async fn account<S: StateRead>(
    state: &S,
    req: &QueryAccountRequest,
) -> Result<QueryAccountResponse, HandlerError> {
    let address: Address = req.address.parse()?;
    let gas = GasMeter::unlimited();
    let account = state
        .account(&gas, &address)
        .await?
        .ok_or_else(|| TxError::NotFound(format!("account {} not found", req.address)))?;
    Ok(QueryAccountResponse {
        account: Some(cosmrs::proto::Any {
            type_url: cosmrs::proto::cosmos::auth::v1beta1::BaseAccount::type_url(),
            value: prost::Message::encode_to_vec(&account),
        }),
    })
}
