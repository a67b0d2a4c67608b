import CRMCore
