"""The dialogs: the first start, importing files, preparing the sending, a new campaign,
revising the plan."""
