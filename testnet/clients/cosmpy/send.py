"""Sends tokens on a Kaizen devnet with stock cosmpy over gRPC, then reads the balance back.

cosmpy estimates gas by calling Simulate with the deprecated `tx` field before it signs.
Usage: python send.py GRPC_URL CHAIN_ID MNEMONIC TO AMOUNT  (GRPC_URL like http://127.0.0.1:9090)
"""

import json
import sys

from cosmpy.aerial.client import LedgerClient, NetworkConfig
from cosmpy.aerial.wallet import LocalWallet
from cosmpy.crypto.address import Address

grpc_url, chain_id, mnemonic, to, amount = sys.argv[1:6]
# cosmpy wants the transport in the scheme: grpc+http://host:port.
url = "grpc+" + grpc_url if grpc_url.startswith("http") else grpc_url
# Kaizen's minimum gas price is 0.001ukzn per unit of gas; pay 0.0025, as send.mjs does.
cfg = NetworkConfig(
    chain_id=chain_id,
    url=url,
    fee_minimum_gas_price=0.0025,
    fee_denomination="ukzn",
    staking_denomination="ukzn",
)
ledger = LedgerClient(cfg)
wallet = LocalWallet.from_mnemonic(mnemonic, prefix="kaizen")
recipient = Address(to)

node_chain_id = ledger.query_chain_id()
before = ledger.query_bank_balance(recipient, "ukzn")
# No fee given: cosmpy simulates for the gas limit and prices it at fee_minimum_gas_price.
tx = ledger.send_tokens(recipient, int(amount), "ukzn", wallet, memo="from cosmpy")
tx.wait_to_complete()
after = ledger.query_bank_balance(recipient, "ukzn")
account = ledger.query_account(wallet.address())
print(json.dumps({
    "chainId": node_chain_id,
    "from": str(wallet.address()),
    "height": tx.response.height,
    "txhash": tx.tx_hash,
    "gas_wanted": tx.response.gas_wanted,
    "gas_used": tx.response.gas_used,
    "before": str(before),
    "after": str(after),
    "sequence": account.sequence,
}))
