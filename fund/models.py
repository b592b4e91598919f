"""The provincial Cooperative Development Support Fund (Nghị định 45/2021/NĐ-CP): products, loans, repayments."""
