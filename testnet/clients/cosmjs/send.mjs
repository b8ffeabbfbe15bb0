// Sends tokens on a Kaizen devnet with stock cosmjs, then reads the balance back.
// Usage: node send.mjs RPC MNEMONIC TO AMOUNT
import { DirectSecp256k1HdWallet } from "@cosmjs/proto-signing";
import { SigningStargateClient, StargateClient } from "@cosmjs/stargate";

const [rpc, mnemonic, to, amount] = process.argv.slice(2);
const wallet = await DirectSecp256k1HdWallet.fromMnemonic(mnemonic, { prefix: "kaizen" });
const [account] = await wallet.getAccounts();
const signer = await SigningStargateClient.connectWithSigner(rpc, wallet);
const chainId = await signer.getChainId();
const before = await signer.getBalance(to, "ukzn");
const fee = { amount: [{ denom: "ukzn", amount: "500" }], gas: "200000" };
const result = await signer.sendTokens(account.address, to, [{ denom: "ukzn", amount }], fee, "from cosmjs");
if (result.code !== 0) {
  console.error(`send failed: code ${result.code}: ${result.rawLog}`);
  process.exit(1);
}
const reader = await StargateClient.connect(rpc);
const after = await reader.getBalance(to, "ukzn");
const acct = await reader.getAccount(account.address);
console.log(JSON.stringify({
  chainId, from: account.address, height: result.height, txhash: result.transactionHash,
  before: before.amount, after: after.amount, sequence: acct.sequence,
}));
