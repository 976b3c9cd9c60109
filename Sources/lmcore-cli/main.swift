import LMCore
print(versionString())
