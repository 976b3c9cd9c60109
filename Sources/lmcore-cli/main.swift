print("lmcore-cli")
