//! ABCI queries on the standard Cosmos paths.

use cosmrs::proto::cosmos::{
    auth::v1beta1::{QueryAccountRequest, QueryAccountResponse},
    bank::v1beta1::{
        QueryAllBalancesRequest, QueryAllBalancesResponse, QueryBalanceRequest,
        QueryBalanceResponse,
    },
};
use kaizen_app::harness::{genesis_with_balances, TestKey, TestNode};
use kaizen_proto::kaizen::{
    attest::v1::{QueryJobRequest, QueryJobResponse},
    bank::v1::{QuerySupplyRequest, QuerySupplyResponse},
    bounty::v1::{QueryBountyRequest, QueryBountyResponse},
    da::v1::{QueryChallengeRequest, QueryChallengeResponse},
    staking::v1::{QueryEvaluatorRequest, QueryEvaluatorResponse},
};
use prost::Message;
use tendermint_proto::v0_38::abci::RequestQuery;

#[tokio::test]
async fn account_balance_and_supply_queries_answer_with_cosmos_types() -> anyhow::Result<()> {
    let alice = TestKey::new("alice");
    let bob = TestKey::new("bob");
    let mut node = TestNode::start(&genesis_with_balances(&[
        (&alice.address, 700),
        (&bob.address, 300),
    ]))
    .await?;

    let acc: QueryAccountResponse = node
        .query(
            "/cosmos.auth.v1beta1.Query/Account",
            &QueryAccountRequest {
                address: alice.address.to_string(),
            },
        )
        .await
        .map_err(|e| anyhow::anyhow!("{e:?}"))?;
    let any = acc.account.unwrap();
    assert_eq!(any.type_url, "/cosmos.auth.v1beta1.BaseAccount");

    let bal: QueryBalanceResponse = node
        .query(
            "/cosmos.bank.v1beta1.Query/Balance",
            &QueryBalanceRequest {
                address: bob.address.to_string(),
                denom: "ukzn".into(),
            },
        )
        .await
        .map_err(|e| anyhow::anyhow!("{e:?}"))?;
    assert_eq!(bal.balance.unwrap().amount, "300");

    let all: QueryAllBalancesResponse = node
        .query(
            "/cosmos.bank.v1beta1.Query/AllBalances",
            &QueryAllBalancesRequest {
                address: alice.address.to_string(),
                pagination: None,
                resolve_denom: false,
            },
        )
        .await
        .map_err(|e| anyhow::anyhow!("{e:?}"))?;
    assert_eq!(all.balances.len(), 1);
    assert_eq!(all.balances[0].amount, "700");

    let supply: QuerySupplyResponse = node
        .query(
            "/kaizen.bank.v1.Query/Supply",
            &QuerySupplyRequest {
                denom: "ukzn".into(),
            },
        )
        .await
        .map_err(|e| anyhow::anyhow!("{e:?}"))?;
    assert_eq!(supply.amount.unwrap().amount, "1000");

    // Queries at an older height see the older state.
    let tx = node.signed_send(&alice, &bob.address, 100).await?;
    node.block(vec![tx]).await?;
    let tx = node.signed_send(&alice, &bob.address, 50).await?;
    node.block(vec![tx]).await?;
    let at = |height: i64| RequestQuery {
        data: QueryBalanceRequest {
            address: bob.address.to_string(),
            denom: "ukzn".into(),
        }
        .encode_to_vec()
        .into(),
        path: "/cosmos.bank.v1beta1.Query/Balance".into(),
        height,
        prove: false,
    };
    let latest = node.app.query(&at(0)).await;
    assert_eq!(latest.height, 2);
    assert_eq!(
        QueryBalanceResponse::decode(latest.value)?
            .balance
            .unwrap()
            .amount,
        "450"
    );
    let old = node.app.query(&at(1)).await;
    assert_eq!((old.code, old.height), (0, 1), "{}", old.log);
    assert_eq!(
        QueryBalanceResponse::decode(old.value)?
            .balance
            .unwrap()
            .amount,
        "400"
    );
    Ok(())
}

#[tokio::test]
async fn bad_queries_get_clear_errors() -> anyhow::Result<()> {
    let alice = TestKey::new("alice");
    let node = TestNode::start(&genesis_with_balances(&[(&alice.address, 700)])).await?;
    let stranger = TestKey::new("stranger");

    let err = node
        .query::<_, QueryAccountResponse>(
            "/cosmos.auth.v1beta1.Query/Account",
            &QueryAccountRequest {
                address: stranger.address.to_string(),
            },
        )
        .await
        .unwrap_err();
    assert_eq!((err.0.as_str(), err.1), ("sdk", 22), "{}", err.2);
    // Worded as the SDK's baseapp words it: cosmjs reads this as "no account".
    assert!(
        err.2.starts_with("rpc error: code = NotFound desc = "),
        "{}",
        err.2
    );

    // Whatever the module, a thing that does not exist is "not found" (22), not a bad
    // request.
    let missing = [
        node.query::<_, QueryBountyResponse>(
            "/kaizen.bounty.v1.Query/Bounty",
            &QueryBountyRequest { id: 7 },
        )
        .await
        .map(|_| ()),
        node.query::<_, QueryJobResponse>(
            "/kaizen.attest.v1.Query/Job",
            &QueryJobRequest { id: 7 },
        )
        .await
        .map(|_| ()),
        node.query::<_, QueryChallengeResponse>(
            "/kaizen.da.v1.Query/Challenge",
            &QueryChallengeRequest { id: 7 },
        )
        .await
        .map(|_| ()),
        node.query::<_, QueryEvaluatorResponse>(
            "/kaizen.staking.v1.Query/Evaluator",
            &QueryEvaluatorRequest {
                address: stranger.address.to_string(),
            },
        )
        .await
        .map(|_| ()),
    ];
    for err in missing {
        let err = err.unwrap_err();
        assert_eq!((err.0.as_str(), err.1), ("sdk", 22), "{}", err.2);
    }

    let err = node
        .query::<_, QueryBalanceResponse>(
            "/cosmos.bank.v1beta1.Query/Balance",
            &QueryBalanceRequest {
                address: "cosmos1nope".into(),
                denom: "ukzn".into(),
            },
        )
        .await
        .unwrap_err();
    assert_eq!((err.0.as_str(), err.1), ("sdk", 7), "{}", err.2);

    let err = node
        .query::<_, QueryBalanceResponse>(
            "/cosmos.nothing.v1.Query/Foo",
            &QueryBalanceRequest::default(),
        )
        .await
        .unwrap_err();
    assert_eq!((err.0.as_str(), err.1), ("sdk", 6), "{}", err.2);

    let resp = node
        .app
        .query(&RequestQuery {
            data: vec![0xff; 10].into(),
            path: "/cosmos.bank.v1beta1.Query/Balance".into(),
            height: 0,
            prove: false,
        })
        .await;
    assert_eq!(resp.code, 2, "{}", resp.log);

    let resp = node
        .app
        .query(&RequestQuery {
            data: vec![0; 100_000].into(),
            path: "/cosmos.bank.v1beta1.Query/Balance".into(),
            height: 0,
            prove: false,
        })
        .await;
    assert_eq!(resp.code, 18, "{}", resp.log);

    let resp = node
        .app
        .query(&RequestQuery {
            data: Default::default(),
            path: "/cosmos.bank.v1beta1.Query/Balance".into(),
            height: 99,
            prove: false,
        })
        .await;
    assert_eq!(resp.code, 18, "{}", resp.log);
    Ok(())
}
