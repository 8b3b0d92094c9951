"""The runtime: config, CLI, scheduler, fetching and parsing feeds, the pipeline,
alert channels and the delivery worker. Nothing imports this package."""
